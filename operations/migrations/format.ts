/** Words and numbers for migration states, shared by the CLI and the editor. vscode-free. */
import type { PhaseState, PlanStatus } from './runner';
import type { BackfillProgress, RunEvent } from './types';

export const formatCount = (n: number): string => n.toLocaleString('en-US');

/** "41 s ago", "12 min ago", "2 h ago", "3 days ago". */
export function ago(iso: string, now: number = Date.now()): string {
  const seconds = Math.max(0, (now - Date.parse(iso)) / 1000);
  if (seconds < 60) return `${Math.round(seconds)} s ago`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min ago`;
  if (seconds < 172_800) return `${Math.round(seconds / 3600)} h ago`;
  return `${Math.round(seconds / 86_400)} days ago`;
}

export function formatDuration(seconds: number): string {
  if (seconds < 10) return `${seconds.toFixed(1)} s`;
  if (seconds < 120) return `${Math.round(seconds)} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

/** Rows done and the estimated total (never below rows done), or undefined when the phase walked no rows. */
export function backfillRows(p: PhaseState): { done: number; total: number | null; percent: number | null } | undefined {
  if (p.phase !== 'backfill' || (p.rowsDone === 0 && p.rowsTotal === null)) return undefined;
  const total = p.rowsTotal !== null ? Math.max(p.rowsTotal, p.rowsDone) : null;
  return { done: p.rowsDone, total, percent: total ? Math.floor((p.rowsDone / total) * 100) : null };
}

/** The CLI's status detail: "410,000 / 1,000,000 rows (41 %), last key 410000, last update 3 min ago". */
export function phaseDetail(p: PhaseState, now: number = Date.now()): string {
  const parts: string[] = [];
  const rows = backfillRows(p);
  if (rows) {
    parts.push(
      `${formatCount(rows.done)}${rows.total !== null ? ` / ${formatCount(rows.total)}` : ''} rows${rows.percent !== null ? ` (${rows.percent} %)` : ''}`,
    );
    if (p.lastKey !== null && p.status !== 'done') parts.push(`last key ${p.lastKey}`);
  } else if (p.status !== 'pending' && p.units > 0) parts.push(`${p.unitsDone}/${p.units} statements`);
  if (p.flag) parts.push(flagLine(p.flag));
  if (p.status === 'done' && p.finishedAt) parts.push(`applied ${ago(p.finishedAt, now)}`);
  else if (p.status !== 'pending' && p.updatedAt) parts.push(`last update ${ago(p.updatedAt, now)}`);
  return parts.join(', ');
}

/** One line of progress: "410,000 / 1,000,000 rows (41 %) · 78,200 rows/s · ETA 7.5 s". */
export function progressLine(p: BackfillProgress): string {
  const total = Math.max(p.rowsTotal, p.rowsDone);
  const percent = total > 0 ? Math.floor((p.rowsDone / total) * 100) : 100;
  const eta = p.etaSeconds === undefined ? '' : ` · ETA ${formatDuration(p.etaSeconds)}`;
  return `${formatCount(p.rowsDone)} / ${formatCount(total)} rows (${percent} %) · ${formatCount(Math.round(p.rowsPerSecond))} rows/s${eta}`;
}

/** Percent done of a backfill, 0–100. */
export function progressPercent(p: BackfillProgress): number {
  const total = Math.max(p.rowsTotal, p.rowsDone);
  return total > 0 ? Math.min(100, (p.rowsDone / total) * 100) : 100;
}

/** The plan's status as the CLI prints it: a header line, one line per phase, then drift and errors. */
export function statusLines(status: PlanStatus, sourceShown: string, now: number = Date.now()): string[] {
  const lines = [`Plan ${status.plan} (${sourceShown}) on ${status.database}`];
  if (status.runner) lines.push(`  being run now by ${status.runner}`);
  const width = Math.max(...status.phases.map((p) => p.status.length + (p.drift ? 7 : 0)));
  for (const p of status.phases)
    lines.push(`  ${p.phase.padEnd(9)} ${`${p.status}${p.drift ? ' DRIFT' : ''}`.padEnd(width + 1)} ${phaseDetail(p, now)}`.trimEnd());
  for (const p of status.phases) {
    if (p.drift)
      lines.push(
        `  ${p.phase}: ${p.file} changed since it ran (ledger ${p.ledgerChecksum?.slice(0, 12)}, file ${p.checksum?.slice(0, 12) ?? 'gone'}): runs of this plan are refused until it is restored`,
      );
    if (p.error) lines.push(`  ${p.phase} failed: ${p.error}`);
  }
  return lines;
}

/** A running backfill for a lens: "backfill 41 % — 410,000 / 1,000,000 rows · 78,200 rows/s". */
export function runningLine(p: BackfillProgress): string {
  const total = Math.max(p.rowsTotal, p.rowsDone);
  const percent = total > 0 ? Math.floor((p.rowsDone / total) * 100) : 100;
  return `backfill ${percent} % — ${formatCount(p.rowsDone)} / ${formatCount(total)} rows · ${formatCount(Math.round(p.rowsPerSecond))} rows/s`;
}

/** The switch phase's flag as the ledger has it: "flag payment-new-flow 50 % in production (step 2 of 3)". */
export function flagLine(flag: NonNullable<PhaseState['flag']>): string {
  const steps = `${flag.steps.join(', ')} % every ${flag.interval}`;
  if (flag.environment === null) return `flag ${flag.key}: not ramped yet (${steps})`;
  if (flag.killed) return `flag ${flag.key} turned off in ${flag.environment} by a failing gate (${flag.reason ?? 'no reason recorded'})`;
  const step = flag.steps.indexOf(flag.percent!) + 1;
  return `flag ${flag.key} ${flag.percent} % in ${flag.environment}${step > 0 ? ` (step ${step} of ${flag.steps.length})` : ''}`;
}

/** A line for the flag ramp's events (CLI output, the editor's log); undefined for other events. */
export function flagEventLine(e: RunEvent): string | undefined {
  switch (e.type) {
    case 'flag-resume':
      return `${e.phase}: flag ${e.flag} resumes at ${e.percent} % in ${e.environment} (the step recorded ${e.at.toISOString()})`;
    case 'flag-step':
      return `${e.phase}: flag ${e.flag} set to ${e.percent} % in ${e.environment} (step ${e.step} of ${e.steps})`;
    case 'flag-wait':
      return `${e.phase}: flag ${e.flag} holds ${e.percent} % for ${e.interval}, then the gates, then ${e.next} %`;
    case 'flag-gate':
      return `${e.phase}: gates ${e.verdict === 'not-configured' ? 'not configured' : e.verdict}: ${e.reason}`;
    case 'flag-killed':
      return `${e.phase}: flag ${e.flag} turned off in ${e.environment}: ${e.reason}`;
    default:
      return undefined;
  }
}
