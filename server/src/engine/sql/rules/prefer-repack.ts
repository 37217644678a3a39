import { unwrap, type RangeVar } from '../ast';
import type { SqlRule } from '../context';
import { isExisting, tableOf } from './_shared';

export const preferRepack: SqlRule<'VacuumStmt' | 'ClusterStmt'> = {
  id: 'prefer-repack',
  severity: 'error',
  summary: 'VACUUM FULL and CLUSTER rewrite the table under ACCESS EXCLUSIVE, blocking reads and writes; pg_repack does it online.',
  kinds: ['VacuumStmt', 'ClusterStmt'],
  check(stmt, ctx, report) {
    const { kind, node } = stmt.parsed;
    let relations: RangeVar[];
    let end: number;
    let tool: string;
    if (kind === 'VacuumStmt') {
      const full = stmt.tokens.find((t) => t.kind === 'word' && t.text === 'full');
      if (!full || !(node.options ?? []).some((o) => unwrap(o, 'DefElem')?.defname === 'full')) return;
      relations = (node.rels ?? []).flatMap((r) => unwrap(r, 'VacuumRelation')?.relation ?? []);
      end = full.end;
      tool = 'pg_repack (or pg_squeeze), which rebuilds the table beside the old one and takes ACCESS EXCLUSIVE only briefly to swap them';
    } else {
      relations = node.relation ? [node.relation] : [];
      end = node.relation ? stmt.nameRange(stmt.at(node.relation.location)).end : (stmt.tokens[0]?.end ?? stmt.end);
      tool = 'pg_repack --order-by (or pg_squeeze), which reorders the table beside the old one and takes ACCESS EXCLUSIVE only briefly to swap them';
    }
    // With no table named, every table (VACUUM FULL) or every clustered table (CLUSTER) is rewritten.
    const live = relations.filter((r) => isExisting(ctx, r));
    if (relations.length > 0 && live.length === 0) return;
    const what = live.length > 0 ? live.map(tableOf).join(', ') : kind === 'VacuumStmt' ? 'every table of the database' : 'every clustered table';
    report({
      start: stmt.start,
      end,
      message: `${kind === 'VacuumStmt' ? 'VACUUM FULL' : 'CLUSTER'} rewrites ${what} under ACCESS EXCLUSIVE: reads and writes are blocked until the table is rewritten. Use ${tool}.`,
    });
  },
};
