import { unwrap, type Node } from '../ast';
import type { SqlRule } from '../context';
import { timeoutSetConfigs } from '../state';

/** Longest lock_timeout that still keeps the queue behind a waiting statement short (strong_migrations' limit). */
const LIMIT_MS = 10_000;
const UNIT_MS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, min: 60_000, h: 3_600_000, d: 86_400_000 };

export const lockTimeoutTooLong: SqlRule<'VariableSetStmt' | 'SelectStmt'> = {
  id: 'lock-timeout-too-long',
  severity: 'warning',
  summary: 'lock_timeout over 10 seconds, or 0 (wait forever): while the statement waits for its lock, every query on the table queues behind it.',
  kinds: ['VariableSetStmt', 'SelectStmt'],
  check(stmt, _ctx, report) {
    const parsed = stmt.parsed;
    const values =
      parsed.kind === 'VariableSetStmt'
        ? parsed.node.name === 'lock_timeout' && parsed.node.kind === 'VAR_SET_VALUE'
          ? [parsed.node.args?.[0]]
          : []
        : timeoutSetConfigs(parsed, stmt.source).flatMap((call) => (call.name === 'lock_timeout' ? [call.value] : []));
    for (const value of values) {
      const ms = milliseconds(value);
      if (ms === undefined || (ms > 0 && ms <= LIMIT_MS)) continue;
      const c = unwrap(value, 'A_Const');
      const start = stmt.at(c?.location);
      const token = stmt.tokens.find((t) => t.start >= start);
      const range = { start, end: token?.end ?? start + 1 };
      const written = stmt.text.slice(range.start, range.end);
      report({
        ...range,
        message:
          ms === 0
            ? `lock_timeout = ${written} turns the timeout off: a statement that needs a lock waits behind running transactions for as long as they last, and every query on the table queues behind it meanwhile. Keep a timeout of a few seconds (RESET lock_timeout at the end restores the server's default).`
            : `lock_timeout = ${written} lets a statement wait ${seconds(ms)} for its lock, and every query on the table queues behind it all that time: an outage of up to ${seconds(ms)} each time. Use a few seconds, at most 10, and retry when it times out.`,
        fixes: [{ title: "Use lock_timeout = '2s'", edits: [{ ...range, newText: "'2s'" }] }],
      });
    }
  },
};

/** A lock_timeout value in milliseconds (an integer, or a string with an optional unit), or undefined when not a constant. */
function milliseconds(value: Node | undefined): number | undefined {
  const c = unwrap(value, 'A_Const');
  if (!c) return undefined;
  if (c.ival) return c.ival.ival ?? 0; // `ival: {}` is 0
  if (c.fval) return Number(c.fval.fval);
  const match = /^\s*(\d+(?:\.\d+)?)\s*(us|ms|s|min|h|d)?\s*$/i.exec(c.sval?.sval ?? '');
  return match ? Number(match[1]) * UNIT_MS[(match[2] ?? 'ms').toLowerCase()]! : undefined;
}

const seconds = (ms: number): string => (ms >= 60_000 ? `${Math.round(ms / 6000) / 10} min` : `${Math.round(ms / 100) / 10} s`);
