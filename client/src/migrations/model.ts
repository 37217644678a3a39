/**
 * What the editor shows for a migration plan: CodeLens text, tree items, where each phase
 * starts in a file. Built from the plan and the runner's PlanStatus; vscode-free so it is
 * unit-tested without an editor.
 */
import path from 'node:path';
import { type MigrationPlan, type PhaseName, type PhaseState, type PlanStatus, type RunResult } from '../../../operations/migrations';
import { ago, backfillRows, flagLine, formatCount } from '../../../operations/migrations/format';
import { phaseMarkerLines, phaseOfFile } from '../../../server/src/engine/phases';

/** A plan as last read from disk and from the database. */
export interface PlanSnapshot {
  /** The folder or marker file the plan is read from. */
  source: string;
  /** The plan, or undefined when it could not be read (see planError). */
  plan?: MigrationPlan;
  /** Why the plan could not be read (a syntax error, a bad backfill declaration…). */
  planError?: string;
  status?: PlanStatus;
  /** Why there is no status: no database configured, or it could not be reached. */
  statusError?: string;
  /** The last run of each phase from this window, for refusals the ledger does not record. */
  lastRuns?: Partial<Record<PhaseName, RunResult>>;
  /** The phase this window is running now. */
  running?: PhaseName;
  /** Its latest progress line ("backfill 41 % — 410,000 / 1,000,000 rows · 78,200 rows/s"). */
  runningProgress?: string;
}

export type PhaseIcon = 'applied' | 'pending' | 'running' | 'interrupted' | 'cancelled' | 'failed' | 'refused' | 'unknown';

export interface PhaseView {
  phase: PhaseName;
  /** One line: "applied 2 h ago", "backfill 41 % — 410,000 / 1,000,000 rows", "pending". */
  text: string;
  /** The whole story, for hovers. */
  tooltip: string;
  icon: PhaseIcon;
  /** Title of the run action ("▶ Run expand", "▶ Resume backfill"); undefined when it cannot run now. */
  runTitle?: string;
}

const LENS_TEXT_MAX = 150;

/** A status error short enough to read in a lens or tree row: the reason, without the server's address (that is in the tooltip). */
function condensed(statusError: string): string {
  const connect = /^cannot connect to PostgreSQL at .*?\(database [^)]*\): (.*)$/s.exec(statusError);
  return connect ? `cannot connect: ${connect[1]}` : statusError;
}

function shorten(text: string, max = LENS_TEXT_MAX): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length <= max ? oneLine : `${oneLine.slice(0, max - 1)}…`;
}

/** "backfill 41 % — 410,000 / 1,000,000 rows" (or without the percent when the total is unknown). */
function rowsText(state: PhaseState): string | undefined {
  const rows = backfillRows(state);
  if (!rows) return undefined;
  if (rows.total === null) return `backfill — ${formatCount(rows.done)} rows`;
  return `backfill ${rows.percent} % — ${formatCount(rows.done)} / ${formatCount(rows.total)} rows`;
}

function progressOf(state: PhaseState): string {
  return rowsText(state) ?? `${state.unitsDone}/${state.units} statements`;
}

/** The state of one phase, as a lens or a tree item shows it. */
export function phaseView(snapshot: PlanSnapshot, phase: PhaseName, now: number = Date.now()): PhaseView {
  const run = (verb: string): string => `▶ ${verb} ${phase}`;
  if (snapshot.running === phase) {
    return {
      phase,
      text: snapshot.runningProgress ? `${snapshot.runningProgress} · running` : 'running…',
      tooltip: `${phase} is running from this window`,
      icon: 'running',
    };
  }
  const state = snapshot.status?.phases.find((p) => p.phase === phase);
  if (!state) {
    const why = snapshot.statusError ?? 'state unknown';
    return { phase, text: shorten(condensed(why)), tooltip: why, icon: 'unknown', runTitle: run('Run') };
  }
  if (state.drift) {
    const text = `refused: ${state.file} changed since it ran (checksum drift)`;
    return {
      phase,
      text: shorten(text),
      tooltip: `${text}. Ledger checksum ${state.ledgerChecksum?.slice(0, 12)}, file ${state.checksum?.slice(0, 12) ?? 'gone'}: every phase of this plan is refused until the file is restored; put further changes in a new plan.`,
      icon: 'refused',
    };
  }
  const last = snapshot.lastRuns?.[phase];
  if (last?.outcome === 'refused' && state.status !== 'done') {
    return { phase, text: shorten(`refused: ${last.message}`), tooltip: `Last run refused: ${last.message}`, icon: 'refused', runTitle: run('Run') };
  }
  return withFlag(ledgerView(snapshot, state, now), state);
}

/** The switch phase's flag as the ramp last recorded it: "flag payment-new-flow 50 %", the whole line in the tooltip. */
function withFlag(view: PhaseView, state: PhaseState): PhaseView {
  const flag = state.flag;
  if (!flag) return view;
  const short =
    flag.environment === null
      ? `flag ${flag.key} not ramped`
      : flag.killed
        ? `flag ${flag.key} off (gate failed)`
        : `flag ${flag.key} ${flag.percent} % in ${flag.environment}`;
  return { ...view, text: shorten(`${view.text} · ${short}`), tooltip: `${view.tooltip}\n${flagLine(flag)}${flag.at ? ` (recorded ${flag.at})` : ''}` };
}

/** A phase as the ledger has it. */
function ledgerView(snapshot: PlanSnapshot, state: PhaseState, now: number): PhaseView {
  const { phase } = state;
  const run = (verb: string): string => `▶ ${verb} ${phase}`;
  const phases = snapshot.status?.phases ?? [];
  const index = phases.indexOf(state);
  switch (state.status) {
    case 'done': {
      const when = state.finishedAt ? `applied ${ago(state.finishedAt, now)}` : 'applied';
      const rows = backfillRows(state);
      const text = rows ? `${when} — ${formatCount(rows.done)} rows` : when;
      // A finished backfill may run again (rows the old version wrote since) until a later phase started.
      const later = phases.slice(index + 1).some((p) => p.status !== 'pending');
      return {
        phase,
        text,
        tooltip: `${phase} applied${state.finishedAt ? ` at ${state.finishedAt}` : ''}${rows ? `; ${formatCount(rows.done)} rows in ${state.batches} batches` : ''}`,
        icon: 'applied',
        runTitle: phase === 'backfill' && !later ? `▶ Run ${phase} again` : undefined,
      };
    }
    case 'running':
      return {
        phase,
        text: `${progressOf(state)} · running`,
        tooltip: `${phase} is running now${snapshot.status?.runner ? `: ${snapshot.status.runner}` : ''}`,
        icon: 'running',
      };
    case 'interrupted':
    case 'cancelled': {
      const text = rowsText(state)
        ? `${rowsText(state)} · ${state.status} — resume`
        : `${state.status} after ${state.unitsDone}/${state.units} statements — resume`;
      return {
        phase,
        text,
        tooltip: `${phase} ${state.status === 'interrupted' ? 'stopped without finishing (the runner was killed or lost its connection)' : 'was cancelled'}${state.lastKey !== null ? ` at key ${state.lastKey}` : ''}; running it again resumes where it stopped`,
        icon: state.status,
        runTitle: run('Resume'),
      };
    }
    case 'failed': {
      const error = state.error ?? 'failed';
      return { phase, text: shorten(`failed: ${error}`), tooltip: `${phase} failed: ${error}`, icon: 'failed', runTitle: run('Retry') };
    }
    case 'pending': {
      const previous = phases[index - 1];
      const waitsFor = previous && previous.status !== 'done' ? previous.phase : undefined;
      return {
        phase,
        text: waitsFor ? `pending — after ${waitsFor}` : 'pending',
        tooltip: waitsFor ? `${phase} runs after ${waitsFor} is applied` : `${phase} has not run yet`,
        icon: 'pending',
        runTitle: run('Run'),
      };
    }
  }
}

/** One line for a whole plan: "expand applied · backfill 41 % · switch pending · contract pending". */
export function planSummary(snapshot: PlanSnapshot): string {
  if (snapshot.planError) return shorten(snapshot.planError, 80);
  if (!snapshot.status) return shorten(condensed(snapshot.statusError ?? 'state unknown'), 100);
  return snapshot.status.phases
    .map((p) => {
      if (p.drift) return `${p.phase} drift`;
      const rows = backfillRows(p);
      if (p.status === 'done') return `${p.phase} ✓`;
      if (rows?.percent !== null && rows !== undefined) return `${p.phase} ${rows.percent} %`;
      return `${p.phase} ${p.status}`;
    })
    .join(' · ');
}

export interface TreeNode {
  /** Stable id, for reveal and expansion state. */
  id: string;
  label: string;
  description: string;
  tooltip: string;
  icon: PhaseIcon | 'plan' | 'plan-error';
  /** Drives the context menu: rolloutGuard.plan, rolloutGuard.phase, rolloutGuard.phase.runnable. */
  contextValue: string;
  source: string;
  phase?: PhaseName;
}

export function planNode(snapshot: PlanSnapshot, workspaceRoot?: string): TreeNode {
  const name = snapshot.plan?.name ?? path.basename(snapshot.source).replace(/\.[^.]+$/, '');
  const where = workspaceRoot ? path.relative(workspaceRoot, snapshot.source) : snapshot.source;
  return {
    id: `plan:${snapshot.source}`,
    label: name,
    description: planSummary(snapshot),
    tooltip: [`Plan ${name} (${where})`, snapshot.planError, snapshot.status ? `on ${snapshot.status.database}` : snapshot.statusError]
      .filter(Boolean)
      .join('\n'),
    icon: snapshot.planError ? 'plan-error' : 'plan',
    contextValue: 'rolloutGuard.plan',
    source: snapshot.source,
  };
}

export function phaseNodes(snapshot: PlanSnapshot, now: number = Date.now()): TreeNode[] {
  if (!snapshot.plan) return [];
  return snapshot.plan.phases.map((p) => {
    const view = phaseView(snapshot, p.name, now);
    return {
      id: `phase:${snapshot.source}#${p.name}`,
      label: p.name,
      description: view.text,
      tooltip: `${p.label}\n${view.tooltip}`,
      icon: view.icon,
      contextValue: view.runTitle ? 'rolloutGuard.phase.runnable' : 'rolloutGuard.phase',
      source: snapshot.source,
      phase: p.name,
    };
  });
}

/**
 * The plan a file belongs to, as loadPlan reads plans: its folder for <plan>/expand.sql,
 * backfill.sql, switch.sql and contract.sql, the file itself when it has phase markers.
 */
export function planSourceOf(fileName: string, text: string): string | undefined {
  if (phaseOfFile(fileName)) return path.dirname(fileName);
  return phaseMarkerLines(text).length > 0 ? fileName : undefined;
}

/** Where each phase of `plan` held by this file starts (0-based lines): the top of a phase file, or its marker. */
export function phaseAnchors(fileName: string, text: string, plan: MigrationPlan): { phase: PhaseName; line: number }[] {
  const mine = plan.phases.filter((p) => path.resolve(p.file) === path.resolve(fileName));
  if (mine.length === 0) return [];
  if (path.resolve(plan.source) !== path.resolve(fileName)) return mine.map((p) => ({ phase: p.name, line: 0 }));
  const lines = new Map<string, number>();
  for (const marker of phaseMarkerLines(text)) {
    const name = marker.name.toLowerCase();
    if (!lines.has(name)) lines.set(name, marker.line);
  }
  return mine.flatMap((p) => (lines.has(p.name) ? [{ phase: p.name, line: lines.get(p.name)! }] : []));
}
