/**
 * `npm run bench`: measured side by side in one run, printed as a table.
 * - The VSIX's size (it packages first; the rows after it measure the production bundles).
 * - CLI wall time and peak memory, rollout-guard vs squawk-cli like for like: the whole pg-regress
 *   corpus with JSON output and with text output, and one small file (median of 5 runs each, after
 *   one warm-up run each).
 * - Language server latency from didChange to publishDiagnostics on a generated
 *   5,000-statement migration (median and p95 of 100 edits, after 10 warm-up edits).
 * - Manifests: cold check of 2,000 objects, cross-file re-check after an edit.
 * - Migrations on a real PostgreSQL: the batched backfill of 1,000,000 rows against one plain
 *   UPDATE, and the longest time one batch held its row locks (see bench/migrations.ts).
 * - MySQL: lint throughput on a generated 5,000-statement migration (see bench/mysql.ts).
 * - Flags: `check` with and without `flags:` (a real Unleash) on 5,000 files (see bench/flags.ts).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { TestLspClient, repoRoot } from '../simulators/lsp-client';
import { generateMigration } from './generate';
import { generateManifestWorkspace } from './generate-manifests';
import { benchMigrations } from './migrations';
import { benchMysql } from './mysql';
import { benchKustomize } from './kustomize';
import { allPublished, measure, median, percentile, type Measure } from './measure';
import { benchFlags } from './flags';

const corpus = path.resolve(repoRoot, '../shared/corpus/pg-regress');
const RUNS = 5;

/** A typical small migration: the one-file row measures start-up more than linting. */
const SMALL_MIGRATION = `CREATE TABLE invoices (id bigint PRIMARY KEY, customer_id bigint NOT NULL, total numeric NOT NULL);
ALTER TABLE orders ADD COLUMN invoice_id bigint;
CREATE INDEX orders_invoice_id_idx ON orders (invoice_id);
ALTER TABLE orders ADD CONSTRAINT orders_invoice_fk FOREIGN KEY (invoice_id) REFERENCES invoices (id);
`;

/**
 * rollout-guard check against squawk-cli, like for like: JSON against JSON and text against text on
 * pg-regress, and one small file (start-up). Each pair is measured interleaved (machine noise hits
 * both alike), median of 5 after one warm-up run each.
 */
function benchCli(): string[][] {
  if (!fs.existsSync('/usr/bin/time')) throw new Error('GNU time is needed for peak memory: apt-get install time');
  const files = fs
    .readdirSync(corpus)
    .filter((f) => f.endsWith('.sql'))
    .map((f) => path.join(corpus, f));
  // squawk-cli's own platform package (the wrapper's other platform packages are not on this registry).
  const squawk = path.join(repoRoot, 'node_modules/@squawk-cli/linux-x64/bin/squawk');
  if (!fs.existsSync(squawk)) throw new Error('squawk is not installed: it ships for linux-x64 here (npm ci installs @squawk-cli/linux-x64)');
  const dir = fs.mkdtempSync(path.join(repoRoot, 'out', 'bench-cli-'));
  const small = path.join(dir, 'add_invoices.sql');
  fs.writeFileSync(small, SMALL_MIGRATION);
  const ours = (...args: string[]): [string, string[]] => [process.execPath, [path.join(repoRoot, 'bin/rollout-guard.js'), 'check', ...args]];
  const pairs: { label: string; ours: [string, string[]]; squawk: [string, string[]] }[] = [
    { label: `pg-regress, ${files.length} files, JSON`, ours: ours(corpus, '--format', 'json'), squawk: [squawk, ['--reporter', 'json', ...files]] },
    {
      // The warm-up run fills the cache: the runs measured find every file unchanged.
      label: `pg-regress, ${files.length} files, JSON, files unchanged since the last run; ours with --cache`,
      ours: ours(corpus, '--format', 'json', '--cache', '--cache-location', path.join(dir, 'cache')),
      squawk: [squawk, ['--reporter', 'json', ...files]],
    },
    { label: `pg-regress, ${files.length} files, text`, ours: ours(corpus), squawk: [squawk, files] },
    { label: 'one small file (4 statements), JSON', ours: ours(small, '--format', 'json'), squawk: [squawk, ['--reporter', 'json', small]] },
  ];
  const rows: string[][] = [];
  try {
    for (const pair of pairs) {
      const runs = { ours: [] as Measure[], squawk: [] as Measure[] };
      // Warm-up: file cache, compile caches.
      measure(...pair.ours);
      measure(...pair.squawk);
      for (let i = 0; i < RUNS; i++) {
        runs.ours.push(measure(...pair.ours));
        runs.squawk.push(measure(...pair.squawk));
      }
      const ourTime = median(runs.ours.map((m) => m.seconds));
      const ourMem = median(runs.ours.map((m) => m.peakMb));
      for (const [name, ms] of [
        ['rollout-guard check', runs.ours],
        ['squawk-cli', runs.squawk],
      ] as const) {
        const t = median(ms.map((m) => m.seconds));
        const mem = median(ms.map((m) => m.peakMb));
        rows.push([
          `${name} (${pair.label})`,
          `${t.toFixed(t < 1 ? 3 : 2)} s`,
          `${(ourTime / t).toFixed(2)}×`,
          `${mem.toFixed(0)} MB`,
          `${(ourMem / mem).toFixed(2)}×`,
        ]);
      }
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}

async function benchLsp(): Promise<string[][]> {
  const text = generateMigration(5000);
  const capped = await lspLatencies(text, {});
  // The same edits with every finding published (more than VS Code shows), to keep that path honest too.
  const all = await lspLatencies(text, { maxDiagnosticsPerFile: 100_000 });
  const label = (run: { published: number }): string => `5,000 statements, ${run.published.toLocaleString('en-US')} diagnostics published`;
  return [
    [`LSP didChange → publishDiagnostics, ${label(capped)}, median`, `${median(capped.latencies).toFixed(1)} ms`, '', '', ''],
    [`LSP didChange → publishDiagnostics, ${label(capped)}, p95`, `${percentile(capped.latencies, 95).toFixed(1)} ms`, 'target < 50 ms', '', ''],
    [`LSP didChange → publishDiagnostics, ${label(all)}, median`, `${median(all.latencies).toFixed(1)} ms`, '', '', ''],
    [`LSP didChange → publishDiagnostics, ${label(all)}, p95`, `${percentile(all.latencies, 95).toFixed(1)} ms`, '', '', ''],
  ];
}

/** Edit-to-diagnostics latency of 100 one-character edits spread over `text`, with these editor settings. */
async function lspLatencies(text: string, editorSettings: Record<string, unknown>): Promise<{ latencies: number[]; published: number }> {
  const dir = fs.mkdtempSync(path.join(repoRoot, 'out', 'bench-'));
  const file = path.join(dir, 'big.sql');
  fs.writeFileSync(file, text);
  const uri = pathToFileURL(file).href;
  const client = new TestLspClient();
  client.editorSettings = editorSettings;
  await client.initialize(pathToFileURL(dir).href);
  const opened = client.diagnostics(uri);
  await client.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'sql', version: 1, text } });
  const published = (await opened).diagnostics.length;
  const lines = text.split('\n');
  const latencies: number[] = [];
  // The first edits compile the server's hot paths (and the client's): 10 warm-up edits are not counted.
  const WARM_UP = 10;
  for (let version = 2; version < 102 + WARM_UP; version++) {
    // Type one character into a different statement each time, spread over the file.
    const line = Math.floor((((version * 37) % 97) / 97) * (lines.length - 1));
    const next = client.diagnostics(uri, (p) => p.version === version);
    const started = performance.now();
    await client.connection.sendNotification('textDocument/didChange', {
      textDocument: { uri, version },
      contentChanges: [{ range: { start: { line, character: 0 }, end: { line, character: 0 } }, text: ' ' }],
    });
    await next;
    if (version >= 2 + WARM_UP) latencies.push(performance.now() - started);
    // An editor keeps only the latest diagnostics; the test client would keep every set (and collect ever more garbage).
    client.published.length = 0;
  }
  await client.stop();
  fs.rmSync(dir, { recursive: true, force: true });
  return { latencies, published };
}

/** Cold index + lint of 2,000 objects in 400 files, and cross-file re-lint latency after an edit. */
async function benchManifests(): Promise<string[][]> {
  const dir = fs.mkdtempSync(path.join(repoRoot, 'out', 'bench-manifests-'));
  const files = generateManifestWorkspace(400);
  for (const [name, text] of files) fs.writeFileSync(path.join(dir, name), text);
  const cli = [path.join(repoRoot, 'bin/rollout-guard.js'), 'check', dir, '--format', 'json'];
  const cliRuns = Array.from({ length: RUNS }, () => measure(process.execPath, cli));
  const rows = [
    [
      `rollout-guard check, ${files.size} manifest files (2,000 objects), cold`,
      `${median(cliRuns.map((m) => m.seconds)).toFixed(2)} s`,
      'target < 1.5 s',
      `${median(cliRuns.map((m) => m.peakMb)).toFixed(0)} MB`,
      '',
    ],
  ];

  // Cross-file checking must stay near-linear: 25 times the files.
  const bigDir = fs.mkdtempSync(path.join(repoRoot, 'out', 'bench-manifests-10k-'));
  const big = generateManifestWorkspace(10_000);
  for (const [name, text] of big) fs.writeFileSync(path.join(bigDir, name), text);
  const bigRuns = Array.from({ length: 3 }, () =>
    measure(process.execPath, [path.join(repoRoot, 'bin/rollout-guard.js'), 'check', bigDir, '--format', 'json']),
  );
  fs.rmSync(bigDir, { recursive: true, force: true });
  const small = median(cliRuns.map((m) => m.seconds));
  const large = median(bigRuns.map((m) => m.seconds));
  rows.push([
    `rollout-guard check, ${big.size.toLocaleString('en')} manifest files, cold`,
    `${large.toFixed(2)} s`,
    `${(large / small).toFixed(1)}× the ${files.size}-file time for ${(big.size / files.size).toFixed(0)}× the files (linear: ≤ ${(big.size / files.size).toFixed(0)}×)`,
    `${median(bigRuns.map((m) => m.peakMb)).toFixed(0)} MB`,
    '',
  ]);

  // The language server: index the folder, publish every file, then edit a DestinationRule.
  const client = new TestLspClient();
  const uriOf = (name: string): string => pathToFileURL(path.join(dir, name)).href;
  const indexed = allPublished(client, [...files.keys()].map(uriOf));
  const started = performance.now();
  await client.initialize(pathToFileURL(dir).href);
  await indexed;
  rows.push(['language server: index and publish 400 manifest files, cold', `${(performance.now() - started).toFixed(0)} ms`, 'target < 1500 ms', '', '']);

  const drName = 'destinationrule-7.yaml';
  const drUri = uriOf(drName);
  const vsUri = uriOf('virtualservice-7.yaml');
  let text = files.get(drName)!;
  await client.connection.sendNotification('textDocument/didOpen', { textDocument: { uri: drUri, languageId: 'yaml', version: 1, text } });
  const latencies: number[] = [];
  for (let version = 2; version < 62; version++) {
    // Rename subset v2 of the first DestinationRule back and forth: the VirtualService in another file gains or loses unknown-subset.
    const renamed = version % 2 === 0;
    const from = renamed ? '- name: v2' : '- name: v3';
    const offset = text.indexOf(from);
    text = text.replace(from, renamed ? '- name: v3' : '- name: v2');
    const before = text.slice(0, offset);
    const line = before.split('\n').length - 1;
    const character = offset - before.lastIndexOf('\n') - 1 + '- name: v'.length;
    const published = client.diagnostics(vsUri, (p) => p.diagnostics.some((d) => d.code === 'unknown-subset') === renamed);
    const t = performance.now();
    await client.connection.sendNotification('textDocument/didChange', {
      textDocument: { uri: drUri, version },
      contentChanges: [{ range: { start: { line, character }, end: { line, character: character + 1 } }, text: renamed ? '3' : '2' }],
    });
    await published;
    latencies.push(performance.now() - t);
  }
  await client.stop();
  fs.rmSync(dir, { recursive: true, force: true });
  rows.push(
    ['edit a DestinationRule → VirtualService in another file re-checked, median', `${median(latencies).toFixed(1)} ms`, '', '', ''],
    ['edit a DestinationRule → VirtualService in another file re-checked, p95', `${percentile(latencies, 95).toFixed(1)} ms`, 'target < 30 ms', '', ''],
  );
  return rows;
}

/** The packaged extension: `npm run package` (production bundles, which the rows after this one then measure). */
function vsixRows(): string[][] {
  const packaged = spawnSync('npm', ['run', 'package'], { cwd: repoRoot, encoding: 'utf8' });
  if (packaged.status !== 0) throw new Error(`npm run package failed:\n${packaged.stderr || packaged.stdout}`);
  const files = /Packaged: .*\((\d+) files/.exec(packaged.stdout)?.[1] ?? '?';
  const bytes = fs.statSync(path.join(repoRoot, 'dist/rollout-guard.vsix')).size;
  return [['VSIX size (dist/rollout-guard.vsix)', `${(bytes / 1024 / 1024).toFixed(2)} MB, ${files} files`, '', '', '']];
}

/** MySQL: the whole lint (split, recognise, rules) of a generated migration. */
function mysqlRows(): string[][] {
  const row = benchMysql();
  return [
    [
      `${row.name}, median of 3`,
      `${row.medianMs.toFixed(0)} ms (${row.statementsPerSecond.toLocaleString('en-US')} statements/s, ${row.findings} findings)`,
      '',
      '',
      '',
    ],
  ];
}

function table(rows: string[][]): string {
  const header = ['measure', 'value', 'ratio (rollout-guard / this)', 'peak memory', 'memory ratio'];
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]): string => `| ${r.map((c, i) => (c ?? '').padEnd(widths[i]!)).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

const SECTIONS: Record<string, () => string[][] | Promise<string[][]>> = {
  vsix: vsixRows,
  cli: benchCli,
  lsp: benchLsp,
  manifests: benchManifests,
  kustomize: benchKustomize,
  migrations: benchMigrations,
  mysql: mysqlRows,
  flags: benchFlags,
};

// `npm run bench -- lsp cli` measures only those sections; no argument measures them all.
void (async () => {
  const asked = process.argv.slice(2);
  const unknown = asked.filter((name) => !(name in SECTIONS));
  if (unknown.length) {
    process.stderr.write(`unknown section ${unknown.join(', ')}; sections: ${Object.keys(SECTIONS).join(', ')}\n`);
    process.exit(2);
  }
  const rows: string[][] = [];
  for (const [name, measure] of Object.entries(SECTIONS)) if (asked.length === 0 || asked.includes(name)) rows.push(...(await measure()));
  process.stdout.write(table(rows) + '\n');
})();
