import { NOT_APPLICATION_CODE } from '../../code-index';
import type { WorkloadEnv, WorkloadMapping } from '../../env/types';
import { globMatcher } from '../../glob';
import { envReads, scanEnvFile, type EnvRead, type EnvScan } from '../../js/env-reads';
import { dirOf, joinPath } from '../../kustomize/kustomization';
import type { CodeRule, WorkloadsContext } from '../rule';

/** Code that does not run in the workload's containers: tests, mocks, build-tool configuration. */
const NOT_RUNTIME = /(^|\/)(__tests__|__mocks__|tests?)\/|\.(test|spec)\.[cm]?[jt]sx?$|\.config\.[cm]?[jt]s$/i;
/** How an import specifier may name a file: as written, with an extension, a folder's index; `.js` written for a `.ts` file. */
const IMPORT_SUFFIXES = ['', '.ts', '.tsx', '.js', '.jsx', '.mjs', '.cjs', '/index.ts', '/index.js'];
/** Names bundlers fill in at build time (Next.js, Vite, Create React App, Gatsby, Expo): not the container's environment. */
const BUILD_TIME = /^(NEXT_PUBLIC_|VITE_|REACT_APP_|GATSBY_|EXPO_PUBLIC_)/;
/** Names listed in a message. */
const LISTED = 8;

export const missingEnv: CodeRule = {
  id: 'missing-env',
  severity: 'error',
  summary: 'The code reads an environment variable, with no fallback, that the workload running it does not set: the new pods start without it.',
  kinds: ['*'],
  check(fileName, text, ctx, report) {
    const inSource = workloadsMatching(ctx, fileName);
    if (!inSource.length) return;
    const copies = inSource.map((w) => ({ workload: w.workload, copies: ctx.env.envOf(w.workload) })).filter((w) => w.copies.length);
    if (!copies.length) return;
    const scans = new Map<string, EnvScan | undefined>();
    const imported = (specifier: string): EnvScan | undefined => {
      const base = joinPath(dirOf(fileName), specifier);
      for (const candidate of [...IMPORT_SUFFIXES.map((s) => base + s), base.replace(/\.[cm]?js$/, '.ts')]) {
        if (!scans.has(candidate)) {
          // Helpers are followed only within the workload's own sources.
          const inWorkload = workloadsMatching(ctx, candidate).some((w) => inSource.some((own) => own.workload === w.workload));
          const helperText = inWorkload && candidate !== fileName ? ctx.codeText(candidate) : undefined;
          scans.set(candidate, helperText === undefined ? undefined : scanEnvFile(helperText));
        }
        const scan = scans.get(candidate);
        if (scan) return scan;
      }
      return undefined;
    };
    const reads = envReads(scanEnvFile(text), imported).filter((r) => r.guard !== 'fallback' && !BUILD_TIME.test(r.name));
    for (const read of reads) {
      for (const { copies: envs } of copies) {
        const lacking = envs.filter((env) => !env.unknown.length && ![read.name, ...read.alternatives].some((name) => env.names.has(name)));
        if (!lacking.length) continue;
        // Inside `if (process.env.ENABLE_TRACING) { … }` with ENABLE_TRACING unset: the read does not run.
        const offWhen = read.when.filter((name) => !lacking[0]!.names.has(name));
        report({
          start: read.start,
          end: read.end,
          message: messageFor(read, lacking[0]!, lacking.length < envs.length, offWhen),
          ...(read.guard === 'checked' || offWhen.length ? { severity: 'hint' as const } : {}),
          related: lacking.map((env) => env.location),
        });
      }
    }
  },
};

function messageFor(read: EnvRead, env: WorkloadEnv, someCopiesSetIt: boolean, offWhen: string[]): string {
  const names = [...read.alternatives, read.name];
  const gets = env.names.size
    ? ` (its containers get ${[...env.names].slice(0, LISTED).join(', ')}${env.names.size > LISTED ? `, … ${env.names.size - LISTED} more` : ''})`
    : ' (its containers get no environment variables)';
  const lacks = `${env.description} ${names.length > 1 ? `sets none of ${names.join(', ')}` : `does not set ${read.name}`}${gets}`;
  const others = someCopiesSetIt ? ' Other copies of the workload set it.' : '';
  if (offWhen.length)
    return `${lacks}. The code reads it only when ${offWhen.join(', ')} ${offWhen.length > 1 ? 'are' : 'is'} set, which the workload does not set either: needed once it does.${others}`;
  if (read.guard === 'checked') return `${lacks}. The code checks it before use: fine if it is optional, otherwise set it in the workload's env.${others}`;
  const via = read.helper ? `${read.helper}(…) reads ${read.name}` : `${read.name} is read here`;
  return `${via} with no fallback, and ${lacks}: the new pods start without it and fail where the code needs it. Set it in the workload's env (or a ConfigMap/Secret of its envFrom), or give the read a fallback (?? '…').${others}`;
}

const matchers = new WeakMap<WorkloadMapping, (relative: string) => boolean>();

/** Whether `file` is runtime code in the sources of one of the workloads (the CLI checks those files). */
export const runsInWorkload = (ctx: WorkloadsContext, file: string): boolean => workloadsMatching(ctx, file).length > 0;

/** The workloads whose sources hold `file` (runtime code only). */
function workloadsMatching(ctx: WorkloadsContext, file: string): { workload: WorkloadMapping }[] {
  const relative = relativePath(ctx.configDir, file);
  if (relative === undefined || NOT_RUNTIME.test(relative) || NOT_APPLICATION_CODE.test(relative)) return [];
  return ctx.workloads
    .filter((workload) => {
      let matches = matchers.get(workload);
      if (!matches) {
        const globs = workload.source.map((s) => s.replace(/^\.\/?/, '').replace(/\/+$/, '')).flatMap((s) => (s ? [s, `${s}/**`] : ['**']));
        matchers.set(workload, (matches = globMatcher(globs)));
      }
      return matches(relative);
    })
    .map((workload) => ({ workload }));
}

/** `file` relative to `dir`, `/`-separated (a URI's decoded), or undefined outside it. */
function relativePath(dir: string, file: string): string | undefined {
  const base = dir.replace(/[\\/]+$/, '');
  if (!file.startsWith(base) || !/[\\/]/.test(file[base.length] ?? '')) return undefined;
  const relative = file.slice(base.length + 1).replace(/\\/g, '/');
  if (!/^[a-z][\w+.-]*:\/\//i.test(base)) return relative;
  try {
    return decodeURIComponent(relative);
  } catch {
    return relative;
  }
}
