import os from 'node:os';
import type * as WorkerThreads from 'node:worker_threads';
import {
  compiledParser,
  keepParsedStatements,
  lintText,
  loadParser,
  type CompiledParser,
  type EngineSettings,
  type Finding,
  type LintRequest,
  type SchemaChange,
} from '../../server/src/engine';

/**
 * `check` lints its SQL files on several threads when there is enough of them: each file is
 * checked on its own (what it establishes for the files after it comes back as its schema changes,
 * which the caller applies), and parsing is most of the time. The main thread takes files from the same queue as the workers, so a worker that
 * starts late or not at all only means the main thread does more.
 */

/** One SQL file to lint on any thread. */
export interface SqlJob {
  fileName: string;
  text: string;
  /** The migration tool the file's project depends on (LintRequest.migrationTool). */
  migrationTool?: string;
  /** The engine the file's project runs it on (LintRequest.projectEngine). */
  projectEngine?: string;
}

/** A job's findings, and what the file changes in the schema facts (see withEarlierFiles). */
export interface SqlResult {
  findings: Finding[];
  changes: readonly SchemaChange[];
}

export interface WorkerInput {
  jobs: SqlJob[];
  settings: EngineSettings;
  /** Int32Array over it: how many jobs of the queue were taken, shared by every thread. */
  next: SharedArrayBuffer;
  /** The parser this thread compiled: the others use its code instead of compiling their own. */
  parser?: CompiledParser;
}

/** The jobs' indices, largest file first: the last file taken is a small one, so no thread is left working alone at the end. */
const queueOrder = (jobs: readonly SqlJob[]): number[] => jobs.map((_, index) => index).sort((a, b) => jobs[b]!.text.length - jobs[a]!.text.length);

/** Lints the jobs left in the queue, one at a time, as every thread does. */
function takeJobs({ jobs, settings, next }: WorkerInput, done: (index: number, result: SqlResult) => void): void {
  const taken = new Int32Array(next);
  const order = queueOrder(jobs);
  for (let position = Atomics.add(taken, 0, 1); position < jobs.length; position = Atomics.add(taken, 0, 1)) {
    const index = order[position]!;
    done(index, lintJob(jobs[index]!, settings));
  }
}

type WorkerOutput = [index: number, result: SqlResult][];

/** What lintSqlFiles gives the threads it starts: their entry point then runs runSqlLintWorker. */
const SQL_LINT_WORKER_ARG = '--sql-lint-worker';
/** Below this much SQL, starting a thread (its own parser, about 0.1 s of CPU) costs more than it saves. */
const MIN_PARALLEL_CHARS = 512 * 1024;
const MAX_DEFAULT_THREADS = 4;

/** Threads to use by default: one per CPU, at most four. */
export const defaultThreads = (): number => Math.max(1, Math.min(MAX_DEFAULT_THREADS, os.availableParallelism()));

/** Findings of one file; a crash in the engine becomes one finding, never a failed run. */
export function lintLoaded(request: LintRequest): Finding[] {
  try {
    return lintText(request);
  } catch (error) {
    return [
      {
        rule: 'internal-error',
        severity: 'error',
        start: 0,
        end: 0,
        message: `Checking this file failed: ${error instanceof Error ? error.message : String(error)}. Please report it.`,
      },
    ];
  }
}

/**
 * Each job's findings, in the jobs' order. `workerScript` starts the CLI (bin/rollout-guard.js);
 * without it, or with one thread, or with little SQL, everything runs here. The parser must be loaded.
 */
export async function lintSqlFiles(jobs: SqlJob[], settings: EngineSettings, threads: number, workerScript: string | undefined): Promise<SqlResult[]> {
  const results: (SqlResult | undefined)[] = new Array<SqlResult | undefined>(jobs.length);
  const input: WorkerInput = { jobs, settings, next: new SharedArrayBuffer(4), parser: compiledParser() };
  const chars = jobs.reduce((sum, job) => sum + job.text.length, 0);
  const workerCount = workerScript && jobs.length > 1 && chars >= MIN_PARALLEL_CHARS ? Math.min(threads, jobs.length) - 1 : 0;
  const workers = Array.from({ length: workerCount }, () => lintOnThread(workerScript!, input));
  takeJobs(input, (index, result) => (results[index] = result));
  for (const output of await Promise.all(workers)) for (const [index, result] of output) results[index] = result;
  // A worker that failed returned nothing: its files are linted here, nothing is lost.
  return results.map((result, index) => result ?? lintJob(jobs[index]!, settings));
}

const lintJob = (job: SqlJob, settings: EngineSettings): SqlResult => lintSqlResult({ ...job, settings });

/** A SQL or TS/JS file's findings (see lintLoaded) and the schema changes its SQL makes. */
export function lintSqlResult(request: LintRequest): SqlResult {
  let changes: readonly SchemaChange[] = [];
  const findings = lintLoaded({ ...request, onSchemaChanges: (made) => (changes = made) });
  return { findings, changes };
}

/**
 * Starts one lint thread on `script`: it takes jobs from the shared queue until none are left.
 * Resolves with the index and findings of each job it did; with nothing when it failed (the
 * caller then lints them itself).
 */
export function lintOnThread(script: string, input: WorkerInput): Promise<WorkerOutput> {
  const worker = new (threads().Worker)(script, { argv: [SQL_LINT_WORKER_ARG], workerData: input, stdout: true });
  return new Promise((resolve) => {
    let output: WorkerOutput = [];
    worker.once('message', (message: WorkerOutput) => (output = message));
    worker.once('error', () => (output = []));
    worker.once('exit', () => resolve(output));
  });
}

/** True in a thread started by lintSqlFiles, given the CLI's arguments. */
export const isSqlLintWorker = (args: readonly string[]): boolean => args[0] === SQL_LINT_WORKER_ARG && !threads().isMainThread;

/** node:worker_threads, loaded when a thread starts or is asked about (loading it costs every CLI run a few milliseconds). */
const threads = (): typeof WorkerThreads => process.getBuiltinModule('node:worker_threads');

/** A thread started by lintSqlFiles: takes jobs until none are left, then posts their findings. */
export async function runSqlLintWorker(): Promise<void> {
  const { workerData, parentPort } = threads();
  await loadParser((workerData as WorkerInput).parser);
  keepParsedStatements(0);
  const output: WorkerOutput = [];
  takeJobs(workerData as WorkerInput, (index, result) => output.push([index, result]));
  parentPort!.postMessage(output);
}
