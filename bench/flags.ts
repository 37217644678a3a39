/**
 * `check` with `flags:` configured against a real Unleash, on a 5,000-file workspace (1,000
 * manifest files, 4,000 TypeScript files with three flag reads each), beside the same run without
 * `flags:`. Both runs pass --embedded so they read the same files: the difference is the one read
 * of the flag service and the flag rules. Target: within 10 %.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../simulators/lsp-client';
import { startPostgres } from '../simulators/postgres';
import { startUnleash } from '../simulators/unleash';
import { generateManifestWorkspace } from './generate-manifests';
import { median } from './measure';

const FLAGS = 50;
const CODE_FILES = 4000;
const RUNS = 5;

export async function benchFlags(): Promise<string[][]> {
  const postgres = await startPostgres();
  const unleash = await startUnleash(postgres);
  const dir = fs.mkdtempSync(path.join(repoRoot, 'out', 'bench-flags-'));
  try {
    for (let i = 0; i < FLAGS; i++) await unleash.admin('POST', 'projects/default/features', { name: `flag-${i}` });
    for (const [name, text] of generateManifestWorkspace(1000)) fs.writeFileSync(path.join(dir, name), text);
    fs.mkdirSync(path.join(dir, 'src'));
    for (let i = 0; i < CODE_FILES; i++) {
      const text = [
        "import { OpenFeature } from '@openfeature/server-sdk';",
        'const client = OpenFeature.getClient();',
        `export async function handler${i}(req: Request) {`,
        `  if (await client.getBooleanValue('flag-${i % FLAGS}', false)) return fast(req);`,
        `  const colour = await client.getStringValue('flag-${(i + 1) % FLAGS}', 'blue');`,
        `  if (unleash.isEnabled('flag-${i % 7 === 0 ? 'typo' : (i + 2) % FLAGS}')) return colour;`,
        '  return slow(req);',
        '}',
        '',
      ].join('\n');
      fs.writeFileSync(path.join(dir, 'src', `handler-${i}.ts`), text);
    }
    const withFlags = path.join(dir, 'with-flags.yaml');
    const without = path.join(dir, 'without-flags.yaml');
    fs.writeFileSync(withFlags, `flags:\n  provider: unleash\n  url: ${unleash.apiUrl}\n  environment: production\n`);
    fs.writeFileSync(without, 'pgVersion: 16\n');
    const run = (config: string): { seconds: number; findings: number } => {
      const started = process.hrtime.bigint();
      const r = spawnSync(process.execPath, [path.join(repoRoot, 'bin/rollout-guard.js'), 'check', dir, '--embedded', '--format', 'json', '--config', config], {
        cwd: repoRoot,
        env: { ...process.env, ROLLOUT_GUARD_FLAGS_TOKEN: unleash.adminToken },
        encoding: 'utf8',
        maxBuffer: 1 << 28,
      });
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      if (r.status !== 0 && r.status !== 1) throw new Error(`check failed (${r.status}): ${r.stderr.slice(-500)}`);
      return { seconds, findings: (JSON.parse(r.stdout) as { findings: unknown[] }).findings.length };
    };
    run(without);
    run(withFlags);
    // Interleaved: the machine's load changes hit both alike.
    const plain: { seconds: number; findings: number }[] = [];
    const flagged: { seconds: number; findings: number }[] = [];
    for (let i = 0; i < RUNS; i++) {
      plain.push(run(without));
      flagged.push(run(withFlags));
    }
    const a = median(plain.map((r) => r.seconds));
    const b = median(flagged.map((r) => r.seconds));
    return [
      [`rollout-guard check --embedded, 5,000 files, no flags:`, `${a.toFixed(2)} s (${plain[0]!.findings} findings)`, '', '', ''],
      [
        `rollout-guard check --embedded, 5,000 files, flags: (${FLAGS} Unleash flags)`,
        `${b.toFixed(2)} s (${flagged[0]!.findings} findings)`,
        `${((b / a - 1) * 100).toFixed(1)} % more (target ≤ 10 %)`,
        '',
        '',
      ],
    ];
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
    await unleash.stop();
    await postgres.stop();
  }
}
