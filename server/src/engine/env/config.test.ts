import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, parseConfig } from '../config';

function problem(text: string): string {
  try {
    parseConfig(text, 'ci.yaml');
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
    return `${error.line}: ${error.detail}`;
  }
  return 'accepted';
}

describe('.rollout-guard.yaml workloads:', () => {
  it('reads each workload, a single source as a list of one', () => {
    const config = parseConfig(
      [
        'workloads:',
        '  - kind: Deployment',
        '    namespace: shop',
        '    name: checkout-v2',
        '    source: src/checkout',
        '  - { kind: CronJob, name: nightly, source: [jobs/nightly, "lib/**/*.ts"] }',
      ].join('\n'),
    );
    assert.deepEqual(config.sections.workloads, [
      { kind: 'Deployment', namespace: 'shop', name: 'checkout-v2', source: ['src/checkout'] },
      { kind: 'CronJob', name: 'nightly', source: ['jobs/nightly', 'lib/**/*.ts'] },
    ]);
  });

  it('refuses a wrong kind, a missing key, an unknown key, a bad glob and a source outside the folder, at their line', () => {
    assert.equal(
      problem('workloads:\n  - kind: Service\n    name: x\n    source: src\n'),
      '2: workloads[0].kind must be one of Deployment, StatefulSet, DaemonSet, Rollout, Job, CronJob, got "Service".',
    );
    assert.equal(
      problem('workloads:\n  - kind: Deployment\n    name: x\n'),
      '2: workloads[0] needs source, e.g. { kind: Deployment, namespace: shop, name: checkout-v2, source: src/checkout }.',
    );
    assert.equal(
      problem('workloads:\n  - kind: Deployment\n    name: x\n    source: src\n    container: app\n'),
      '5: unknown setting workloads[0].container. Known: kind, namespace, name, source.',
    );
    assert.equal(
      problem('workloads:\n  - kind: Deployment\n    name: x\n    source: "src/{a,b"\n'),
      '4: workloads[0].source "src/{a,b" is not a glob Rollout Guard can read: unclosed "{" in glob "src/{a,b".',
    );
    assert.equal(
      problem('workloads:\n  - kind: Deployment\n    name: x\n    source: ../other\n'),
      `4: workloads[0].source "../other" must be relative to the configuration file's folder and stay inside it.`,
    );
    assert.equal(problem('workloads: { kind: Deployment }\n'), '1: workloads must be a list, got {"kind":"Deployment"}.');
  });
});
