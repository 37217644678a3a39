import type { NodeKind } from '../ast';
import type { SqlRule } from '../context';

const MAX_BYTES = 63;
const DDL_KINDS: readonly NodeKind[] = [
  'CreateStmt',
  'AlterTableStmt',
  'IndexStmt',
  'RenameStmt',
  'CreateSeqStmt',
  'ViewStmt',
  'CreateTrigStmt',
  'CreateFunctionStmt',
  'CreateTableAsStmt',
  'CreateEnumStmt',
  'CompositeTypeStmt',
  'CreateSchemaStmt',
  'CreateDomainStmt',
  'CreateRangeStmt',
  'DefineStmt',
  'CreatePolicyStmt',
  'CreateStatsStmt',
];

export const identifierTooLong: SqlRule = {
  id: 'identifier-too-long',
  severity: 'error',
  summary: 'Identifiers longer than 63 bytes are silently truncated by PostgreSQL.',
  kinds: DDL_KINDS,
  check(stmt, _ctx, report) {
    for (const token of stmt.tokens) {
      if (token.kind !== 'word' && token.kind !== 'quoted') continue;
      const bytes = Buffer.byteLength(token.text, 'utf8');
      if (bytes <= MAX_BYTES) continue;
      const truncated = Buffer.from(token.text, 'utf8')
        .subarray(0, MAX_BYTES)
        .toString('utf8')
        .replace(/\uFFFD$/, '');
      report({
        start: token.start,
        end: token.end,
        message: `"${token.text}" is ${bytes} bytes; PostgreSQL truncates identifiers to ${MAX_BYTES} bytes and names it "${truncated}", so statements that spell out the full name later miss it, and two long names can collide. Use a name of at most ${MAX_BYTES} bytes.`,
      });
    }
  },
};
