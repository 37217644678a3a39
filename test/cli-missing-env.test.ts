/** rollout-guard check with workloads: the code of the configured sources against its workload's manifest. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { repoRoot } from '../simulators/lsp-client';
import { removeTemporaryDirectory, temporaryDirectory, writeFiles } from '../simulators/temp';
import { deployment } from './helpers/workloads';
import type { LocatedFinding } from '../cli/src/format';

const bin = path.join(repoRoot, 'bin/rollout-guard.js');

describe('rollout-guard check: missing-env', () => {
  let workspace: string;
  const write = (name: string, text: string): void => void writeFiles(workspace, { [name]: text });
  const check = (...args: string[]): { code: number | null; findings: LocatedFinding[] } => {
    const r = spawnSync(process.execPath, [bin, 'check', ...args, '--format', 'json'], { cwd: workspace, encoding: 'utf8' });
    return { code: r.status, findings: (JSON.parse(r.stdout) as { findings: LocatedFinding[] }).findings };
  };

  before(() => {
    workspace = temporaryDirectory('rg-cli-env-');
    fs.mkdirSync(path.join(workspace, '.git'));
    write(
      '.rollout-guard.yaml',
      'workloads:\n  - { kind: Deployment, namespace: shop, name: checkout-v2, source: src/checkout }\n  - { kind: Deployment, namespace: shop, name: gone, source: src/gone }\n',
    );
    write(
      'k8s/deploy.yaml',
      deployment('checkout-v2', {
        namespace: 'shop',
        container: 'app',
        image: 'shop/checkout:2.0.0',
        environment: ['env: [{ name: PAYMENTS_URL, value: x }]'],
      }),
    );
    write(
      'src/checkout/env.ts',
      'export const requireEnv = (name: string): string => {\n  const v = process.env[name];\n  if (!v) throw new Error(name);\n  return v;\n};\n',
    );
    write(
      'src/checkout/server.ts',
      [
        "import { requireEnv } from './env';",
        'const payments = process.env.PAYMENTS_URL;',
        "const stripe = requireEnv('STRIPE_KEY');",
        "const port = process.env.PORT ?? '8080';",
        "await db.query('CREATE INDEX orders_x ON orders (x)');",
        '',
      ].join('\n'),
    );
    write('src/other/main.ts', 'const key = process.env.NOT_A_WORKLOAD_SOURCE;\n');
  });

  after(() => removeTemporaryDirectory(workspace));

  it('reports the unset variable on the code line, related to the workload, and the workload the manifests lack; the code SQL only with --embedded', () => {
    const { code, findings: all } = check('.');
    assert.equal(code, 1);
    const findings = all.filter((f) => f.rule === 'missing-env' || f.rule === 'unknown-workload');
    assert.deepEqual(
      findings.map((f) => `${f.file}:${f.line}:${f.column} ${f.severity} ${f.rule}`),
      ['.rollout-guard.yaml:3:42 warning unknown-workload', 'src/checkout/server.ts:3:27 error missing-env'],
    );
    assert.deepEqual(findings[1]!.related, [
      { file: 'k8s/deploy.yaml', line: 12, column: 11, message: 'Deployment checkout-v2: the environment its containers get' },
    ]);
    const embedded = check('.', '--embedded').findings.map((f) => f.rule);
    assert.ok(embedded.includes('require-concurrent-index-creation') && embedded.includes('missing-env'), embedded.join());
  });

  it('without the manifests in the paths given, the code is not judged', () => {
    const { code, findings } = check('src');
    assert.equal(code, 0);
    assert.deepEqual(findings, []);
    assert.deepEqual(
      check('src', 'k8s')
        .findings.map((f) => `${f.file}:${f.line} ${f.rule}`)
        .filter((f) => f.endsWith('missing-env')),
      ['src/checkout/server.ts:3 missing-env'],
    );
  });
});
