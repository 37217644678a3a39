import { objectNames } from '../ast';
import type { SqlRule } from '../context';
import { BRIEF, describeLock, triggerTable } from '../locks';
import { tableRef } from '../context';
import { alterActions, tableOf } from './_shared';

/** CreateTrigStmt.timing bit of INSTEAD OF triggers (on views, which hold no rows). */
const TRIGGER_TYPE_INSTEAD = 64;

const TRIGGER_SWITCHES = new Set([
  'AT_EnableTrig',
  'AT_DisableTrig',
  'AT_EnableTrigAll',
  'AT_DisableTrigAll',
  'AT_EnableTrigUser',
  'AT_DisableTrigUser',
  'AT_EnableAlwaysTrig',
  'AT_EnableReplicaTrig',
]);

export const changingTrigger: SqlRule<'CreateTrigStmt' | 'DropStmt' | 'AlterTableStmt'> = {
  id: 'changing-trigger',
  severity: 'warning',
  summary: 'Creating, dropping, enabling or disabling a trigger on a live table blocks its writes and changes what every write of the running version does.',
  kinds: ['CreateTrigStmt', 'DropStmt', 'AlterTableStmt'],
  check(stmt, ctx, report) {
    if (stmt.origin === 'function-body') return;
    const { kind, node } = stmt.parsed;
    if (kind === 'CreateTrigStmt') {
      if (!node.relation || ctx.state.isNewRelation(tableRef(node.relation)) || ((node.timing ?? 0) & TRIGGER_TYPE_INSTEAD) !== 0) return;
      const table = tableOf(node.relation);
      report({
        ...stmt.headRange('trigger'),
        message: `${describeLock({ mode: 'SHARE ROW EXCLUSIVE', table, duration: BRIEF })}. From then on ${node.trigname} runs inside every write the running version makes to ${table}, so a slow or failing function slows or fails them. Create its function first, keep it fast and tolerant of the old version's rows, and create the trigger under a short lock_timeout.`,
      });
    } else if (kind === 'DropStmt') {
      if (node.removeType !== 'OBJECT_TRIGGER') return;
      const table = triggerTable(objectNames(node)[0] ?? '?');
      const [schema, name] = table.includes('.') ? table.split('.') : [undefined, table];
      if (ctx.state.isNewRelation({ schema, name: name ?? table })) return;
      report({
        ...stmt.headRange('trigger'),
        message: `${describeLock({ mode: 'ACCESS EXCLUSIVE', table, duration: BRIEF })}. What the trigger did (keeping a copy in sync, an audit row, a check) stops for the version still running. Drop it in the contract phase, once no running version relies on it, under a short lock_timeout.`,
      });
    } else {
      if (!node.relation || ctx.state.isNewRelation(tableRef(node.relation))) return;
      const table = tableOf(node.relation);
      for (const action of alterActions(node)) {
        if (!action.subtype || !TRIGGER_SWITCHES.has(action.subtype)) continue;
        const disables = action.subtype.startsWith('AT_Disable');
        const all = action.subtype === 'AT_DisableTrigAll' || action.subtype === 'AT_EnableTrigAll';
        const effect = disables
          ? `Writes of the running version skip the trigger${all ? ', and DISABLE TRIGGER ALL also stops enforcing foreign keys' : ''} until it is enabled again`
          : 'From then on the trigger runs inside every write of the running version';
        report({
          ...stmt.actionRange(action.index),
          message: `${describeLock({ mode: 'SHARE ROW EXCLUSIVE', table, duration: BRIEF })}. ${effect}. Do it under a short lock_timeout, and keep what the trigger guarantees in place for the version still running.`,
        });
      }
    }
  },
};
