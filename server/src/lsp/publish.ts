/**
 * Sending diagnostics whose JSON is already built (see DiagnosticsJson): over stdio the message is
 * written from that text, so thousands of diagnostics are not turned into objects and serialised
 * again on every keystroke. Other transports (VS Code's IPC) serialise the objects, built on demand.
 */
import { StreamMessageWriter, type Message, type NotificationMessage } from 'vscode-languageserver/node';
import type { Diagnostic, PublishDiagnosticsParams } from 'vscode-languageserver';

const SERIALISED = Symbol('serialised JSON of the diagnostics');

interface SerialisedParams extends PublishDiagnosticsParams {
  [SERIALISED]: string;
}

/** publishDiagnostics params carrying their diagnostics as JSON text; `diagnostics` is built only if read. */
export function serialisedDiagnostics(uri: string, version: number | undefined, json: string): PublishDiagnosticsParams {
  let built: Diagnostic[] | undefined;
  const params = { uri, version, [SERIALISED]: json } as SerialisedParams;
  Object.defineProperty(params, 'diagnostics', { enumerable: true, get: () => (built ??= JSON.parse(json) as Diagnostic[]) });
  return params;
}

/** The JSON text of a message, using the diagnostics' text where it is already built. */
export function messageJson(message: Message): string {
  const params = (message as NotificationMessage).params as Partial<SerialisedParams> | undefined;
  const json = params && typeof params === 'object' ? params[SERIALISED] : undefined;
  if (json === undefined) return JSON.stringify(message);
  const head = JSON.stringify({
    jsonrpc: message.jsonrpc,
    method: (message as NotificationMessage).method,
    params: { uri: params!.uri, version: params!.version },
  });
  // `…"params":{"uri":…,"version":…}}` → `…"params":{"uri":…,"version":…,"diagnostics":[…]}}`
  return `${head.slice(0, -2)},"diagnostics":${json}}}`;
}

/** A stdio message writer that writes pre-serialised diagnostics as they are. */
export function stdioWriter(output: NodeJS.WritableStream): StreamMessageWriter {
  return new StreamMessageWriter(output, {
    charset: 'utf-8',
    contentTypeEncoder: { name: 'application/json', encode: (message) => Promise.resolve(Buffer.from(messageJson(message as Message), 'utf8')) },
  });
}
