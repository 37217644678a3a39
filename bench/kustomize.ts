/**
 * Kustomize as deployed: a generated repository of 50 overlays over 10 bases (2,000 rendered
 * objects). The CLI's cold check, and the language server's re-check after an edit of a base
 * file that 20 overlays include (the finding sits on the base line, named for each overlay).
 */
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { TestLspClient, repoRoot } from '../simulators/lsp-client';
import { generateKustomizeRepository } from './generate-kustomize';
import { allPublished, measure, median, percentile } from './measure';

const BASES = 10;
const OVERLAYS = 50;
const EDITED = 'bases/b0/deployments.yaml';

export async function benchKustomize(): Promise<string[][]> {
  const dir = fs.mkdtempSync(path.join(repoRoot, 'out', 'bench-kustomize-'));
  const files = generateKustomizeRepository(BASES, OVERLAYS);
  for (const [name, text] of files) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  const cli = [path.join(repoRoot, 'bin/rollout-guard.js'), 'check', dir, '--format', 'json'];
  measure(process.execPath, cli); // warm-up: file cache
  const runs = Array.from({ length: 5 }, () => measure(process.execPath, cli));
  const label = `${OVERLAYS} overlays over ${BASES} bases (${files.size} files, 2,000 rendered objects)`;
  const rows = [
    [
      `rollout-guard check, ${label}, cold, median of 5`,
      `${median(runs.map((m) => m.seconds)).toFixed(2)} s`,
      'target < 2 s',
      `${median(runs.map((m) => m.peakMb)).toFixed(0)} MB`,
      '',
    ],
  ];

  const client = new TestLspClient();
  const uri = pathToFileURL(path.join(dir, EDITED)).href;
  const indexed = allPublished(
    client,
    [...files.keys()].map((name) => pathToFileURL(path.join(dir, name)).href),
  );
  const started = performance.now();
  await client.initialize(pathToFileURL(dir).href);
  await indexed;
  rows.push([`language server: index and publish ${label}, cold`, `${(performance.now() - started).toFixed(0)} ms`, '', '', '']);

  // Toggle maxUnavailable 0 ↔ 3 (of 3 replicas) on the base's first Deployment: 20 overlays render it.
  let text = files.get(EDITED)!;
  await client.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'yaml', version: 1, text } });
  const latencies: number[] = [];
  const WARM_UP = 6;
  for (let version = 2; version < 62 + WARM_UP; version++) {
    const unsafe = version % 2 === 0;
    const offset = text.indexOf('maxUnavailable: ') + 'maxUnavailable: '.length;
    text = text.slice(0, offset) + (unsafe ? '3' : '0') + text.slice(offset + 1);
    const before = text.slice(0, offset);
    const line = before.split('\n').length - 1;
    const character = offset - before.lastIndexOf('\n') - 1;
    const published = client.diagnostics(uri, (p) => p.version === version && p.diagnostics.some((d) => d.code === 'unsafe-rolling-update') === unsafe);
    const t = performance.now();
    await client.connection.sendNotification('textDocument/didChange', {
      textDocument: { uri, version },
      contentChanges: [{ range: { start: { line, character }, end: { line, character: character + 1 } }, text: unsafe ? '3' : '0' }],
    });
    await published;
    if (version >= 2 + WARM_UP) latencies.push(performance.now() - t);
    client.published.length = 0;
  }
  await client.stop();
  fs.rmSync(dir, { recursive: true, force: true });
  rows.push(
    [`edit a base file 20 overlays include → its findings re-checked, median`, `${median(latencies).toFixed(1)} ms`, '', '', ''],
    [`edit a base file 20 overlays include → its findings re-checked, p95`, `${percentile(latencies, 95).toFixed(1)} ms`, 'target < 50 ms', '', ''],
  );
  return rows;
}
