/** --request-timeout of the cluster commands (canary, gate, migrate): in their bundle, not in check's. */
import { durationMs } from '../../operations/gates';
import { ConfigError } from '../../server/src/engine/config';

/** `--request-timeout <duration>` (30s, 2m, 500ms: the gates' duration syntax) in ms; undefined when not given; a message when malformed. */
export function requestTimeoutOf(text: string | undefined): number | undefined | { error: string } {
  if (text === undefined) return undefined;
  let ms = 0;
  try {
    ms = durationMs(text);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
  }
  return ms > 0 ? ms : { error: `--request-timeout must be a duration such as 30s, 2m or 500ms, got "${text}"` };
}
