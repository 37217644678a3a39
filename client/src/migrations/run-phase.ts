/** The commands that run a phase of a plan and show a plan's state, with progress, Cancel and confirmation. */
import path from 'node:path';
import * as vscode from 'vscode';
import { ClusterClient, clusterContractGuard } from '../../../operations/cluster';
import {
  findPhase,
  isPhaseName,
  loadPlan,
  PlanError,
  planStatus,
  runPhase,
  type MigrationPlan,
  type PhaseName,
  type RunEvent,
  type RunPhaseOptions,
  type RunResult,
} from '../../../operations/migrations';
import { flagEventLine, formatCount, formatDuration, progressLine, progressPercent, runningLine, statusLines } from '../../../operations/migrations/format';
import { flagChecks } from './flag-checks';
import { COMMANDS } from './ids';
import { phaseView, planSourceOf, type TreeNode } from './model';
import { NO_DATABASE_MESSAGE, type Connection, type MigrationsState } from './state';

/** A phase to run: from a lens, a tree item or a command argument. */
export interface PhaseTarget {
  source: string;
  phase: PhaseName;
}

/** A phase from a command argument (lens, tree item) or, without one, picked by the user. */
async function phaseTarget(state: MigrationsState, arg: unknown): Promise<PhaseTarget | undefined> {
  const given = arg as Partial<TreeNode & PhaseTarget> | undefined;
  if (given?.source && given.phase && isPhaseName(given.phase)) return { source: given.source, phase: given.phase };
  const source = given?.source ?? (await pickPlan(state));
  if (!source) return undefined;
  const snapshot = await state.snapshot(source);
  if (!snapshot.plan) throw new PlanError(snapshot.planError ?? `${source} is not a migration plan`);
  const picked = await vscode.window.showQuickPick(
    snapshot.plan.phases.map((p) => ({ label: p.name, description: phaseView(snapshot, p.name).text, phase: p.name })),
    { title: `Run a phase of plan ${snapshot.plan.name}` },
  );
  return picked && { source, phase: picked.phase };
}

async function pickPlan(state: MigrationsState): Promise<string | undefined> {
  const active = vscode.window.activeTextEditor?.document;
  const fromEditor = active && planSourceOf(active.fileName, active.getText());
  if (fromEditor) return fromEditor;
  const plans = await state.listPlans();
  if (plans.length === 0) {
    void vscode.window.showInformationMessage(
      'No migration plan in this workspace: a plan is a folder with expand.sql, backfill.sql, switch.sql and contract.sql, or one .sql file with "-- rollout-guard: phase <name>" markers.',
    );
    return undefined;
  }
  if (plans.length === 1) return plans[0];
  const root = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? '';
  const picked = await vscode.window.showQuickPick(
    plans.map((source) => ({ label: path.basename(source), description: path.relative(root, source), source })),
    { title: 'Migration plan' },
  );
  return picked?.source;
}

async function requireConnection(state: MigrationsState, source: string): Promise<Connection | undefined> {
  const connection = await state.connection(vscode.Uri.file(source));
  if (connection) return connection;
  const choice = await vscode.window.showErrorMessage(NO_DATABASE_MESSAGE, 'Open Settings', 'Start Local PostgreSQL');
  if (choice === 'Open Settings') await vscode.commands.executeCommand('workbench.action.openSettings', 'rolloutGuard.migrations.databaseUrl');
  if (choice === 'Start Local PostgreSQL') await vscode.commands.executeCommand(COMMANDS.startLocalPostgres);
  return undefined;
}

export async function runPhaseCommand(state: MigrationsState, output: vscode.LogOutputChannel, arg: unknown): Promise<void> {
  const target = await phaseTarget(state, arg);
  if (!target || !(await readyToRun(state, target.source))) return;
  const { source, phase } = target;
  const connection = await requireConnection(state, source);
  if (!connection) return;
  let plan: MigrationPlan;
  try {
    plan = await loadPlan(source);
  } catch (error) {
    if (error instanceof PlanError) {
      void vscode.window.showErrorMessage(`Rollout Guard: ${error.message}`);
      state.invalidate(source);
      return;
    }
    throw error;
  }
  if (phase === 'contract' && !(await contractConfirmed(plan, connection))) return;

  const log = (message: string): void => state.log(message, connection.secrets);
  const checks = await flagChecks(plan, phase, source, state.secrets, log);
  if (!checks) return;
  log(`Running ${phase} of plan ${plan.name} (${source}) on ${connection.shown} (from ${connection.origin})`);
  state.setRunning(source, phase);
  let result: RunResult;
  try {
    result = await runWithProgress(state, plan, target, connection, checks, log);
  } finally {
    state.setRunning(source, undefined);
    state.invalidate(source);
  }
  state.recordRun(source, result);
  log(`${result.outcome}: ${result.message} (${formatDuration(result.durationMs / 1000)})`);
  const text = `Rollout Guard: ${result.message}`;
  switch (result.outcome) {
    case 'applied':
    case 'already-applied':
      void vscode.window.showInformationMessage(text);
      break;
    case 'refused':
    case 'cancelled':
      void vscode.window.showWarningMessage(text);
      break;
    case 'failed':
      void vscode.window.showErrorMessage(text, 'Show Output').then((c) => c && output.show(true));
      break;
  }
}

/** Not while the plan runs already; unsaved plan files saved first (the runner reads the files on disk), or nothing runs. */
async function readyToRun(state: MigrationsState, source: string): Promise<boolean> {
  const busy = state.isRunning(source);
  if (busy) {
    void vscode.window.showWarningMessage(`Plan ${path.basename(source)} is already running its ${busy} phase in this window.`);
    return false;
  }
  const unsaved = vscode.workspace.textDocuments.filter(
    (d) => d.isDirty && (d.fileName === source || path.dirname(d.fileName) === source) && planSourceOf(d.fileName, d.getText()) === source,
  );
  if (unsaved.length === 0) return true;
  const save = await vscode.window.showWarningMessage(
    `${unsaved.map((d) => path.basename(d.fileName)).join(', ')} has unsaved changes; the runner reads the file on disk.`,
    { modal: true },
    'Save and Run',
  );
  if (save !== 'Save and Run') return false;
  for (const d of unsaved) await d.save();
  return true;
}

/** Contract is destructive: the confirmation says what will change, where. */
async function contractConfirmed(plan: MigrationPlan, connection: Connection): Promise<boolean> {
  const contract = findPhase(plan, 'contract');
  if (!contract) return true;
  const statements = contract.units.flatMap((u) => u.statements.map((s) => s.sql.replace(/\s+/g, ' ').trim()));
  const shownStatements = statements.slice(0, 4).join('\n') + (statements.length > 4 ? `\n… and ${statements.length - 4} more` : '');
  const go = await vscode.window.showWarningMessage(
    `Run contract of plan ${plan.name} on ${connection.shown}?`,
    { modal: true, detail: `It removes what the old version needed and cannot be undone by the runner:\n\n${shownStatements}` },
    'Run Contract',
  );
  return go === 'Run Contract';
}

/** Runs the phase under a cancellable progress notification, backfill progress in it, the plan's tree and the log. */
function runWithProgress(
  state: MigrationsState,
  plan: MigrationPlan,
  { source, phase }: PhaseTarget,
  connection: Connection,
  checks: Pick<RunPhaseOptions, 'flags' | 'gateCheck'>,
  log: (message: string) => void,
): Thenable<RunResult> {
  return vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Rollout Guard: ${phase} of ${plan.name}`, cancellable: true },
    async (progress, token) => {
      const abort = new AbortController();
      const cancelled = token.onCancellationRequested(() => {
        log(`Cancelling ${phase} of plan ${plan.name} after the current batch or statement…`);
        progress.report({ message: 'cancelling after the current batch or statement…' });
        abort.abort();
      });
      let reported = 0;
      let lastLogged = 0;
      try {
        return await runPhase(plan, {
          databaseUrl: connection.url,
          phase,
          contractGuard: contractGuardFromSettings(source),
          ...checks,
          signal: abort.signal,
          applicationName: `rollout-guard vscode ${plan.name}`,
          backfill: {
            maxRowsPerSecond:
              vscode.workspace.getConfiguration('rolloutGuard', vscode.Uri.file(source)).get<number>('migrations.maxRowsPerSecond') || undefined,
          },
          onProgress: (p) => {
            const percent = progressPercent(p);
            progress.report({ message: `${p.table}: ${progressLine(p)}`, increment: Math.max(0, percent - reported) });
            reported = Math.max(reported, percent);
            state.setProgress(source, runningLine(p));
            if (Date.now() - lastLogged > 2000) {
              lastLogged = Date.now();
              log(`backfill ${p.table}: ${progressLine(p)}, batch ${formatCount(p.batchSize)}`);
            }
          },
          onEvent: (e: RunEvent) => {
            const line = eventLine(e);
            if (line) log(line);
            if (e.type === 'unit') progress.report({ message: `statement ${e.index + 1} of ${e.units} (line ${e.line})` });
            if (e.type === 'lock-retry') progress.report({ message: `line ${e.line}: lock not available, attempt ${e.attempt + 1} of ${e.attempts}…` });
            if (e.type === 'flag-step' || e.type === 'flag-wait') {
              const step =
                e.type === 'flag-step'
                  ? `flag ${e.flag} ${e.percent} % (step ${e.step} of ${e.steps})`
                  : `flag ${e.flag} holds ${e.percent} % for ${e.interval}`;
              progress.report({ message: step });
              state.setProgress(source, step);
            }
          },
        });
      } finally {
        cancelled.dispose();
      }
    },
  );
}

function eventLine(e: RunEvent): string | undefined {
  switch (e.type) {
    case 'unit':
      return `${e.phase}: statement ${e.index + 1} of ${e.units} (line ${e.line})`;
    case 'skip':
      return `${e.phase}: skipping ${e.units} statement(s) ${e.reason}`;
    case 'lock-retry':
      return `${e.phase} line ${e.line}: ${e.message}; attempt ${e.attempt + 1} of ${e.attempts} in ${e.delayMs} ms`;
    case 'batch-retry':
      return `backfill ${e.table}: ${e.reason}; retrying (attempt ${e.attempt + 1}) with batch ${formatCount(e.nextBatchSize)} in ${e.delayMs} ms`;
    case 'pass':
      return `backfill ${e.table}: ${formatCount(e.rowsLeft)} rows were written behind the cursor; pass ${e.pass}`;
    case 'batch':
      return undefined; // progress lines cover batches
    default:
      return flagEventLine(e);
  }
}

export async function showStatusCommand(state: MigrationsState, output: vscode.LogOutputChannel, arg: unknown): Promise<void> {
  const given = arg as Partial<TreeNode> | undefined;
  const source = given?.source ?? (await pickPlan(state));
  if (!source) return;
  const connection = await requireConnection(state, source);
  if (!connection) return;
  const plan = await loadPlan(source);
  const status = await planStatus(plan, connection.url);
  const root = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(source))?.uri.fsPath;
  state.log(statusLines(status, root ? path.relative(root, source) : source).join('\n'), connection.secrets);
  output.show(true);
  state.invalidate(source);
}

/**
 * With a cluster configured for the Rollouts view, contract waits for the old version to be gone
 * (no canary mid-rollout, no ready pods of a stable destination) in the watched namespaces.
 */
function contractGuardFromSettings(source: string): (() => Promise<string | undefined>) | undefined {
  const config = vscode.workspace.getConfiguration('rolloutGuard', vscode.Uri.file(source));
  const kubeconfig = config.get<string>('cluster.kubeconfig') || undefined;
  const context = config.get<string>('cluster.context') || undefined;
  const namespaces = config.get<string[]>('cluster.namespaces') ?? [];
  if (!kubeconfig && !context && namespaces.length === 0) return undefined;
  return async () => {
    let client: ClusterClient;
    try {
      client = ClusterClient.fromKubeconfig({
        kubeconfig,
        context,
        cwd: vscode.workspace.getWorkspaceFolder(vscode.Uri.file(source))?.uri.fsPath,
        trusted: vscode.workspace.isTrusted,
      });
    } catch (error) {
      return `the cluster could not be checked for the old version (${error instanceof Error ? error.message : String(error)})`;
    }
    return clusterContractGuard(client, { namespaces })();
  };
}
