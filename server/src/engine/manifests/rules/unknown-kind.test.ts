import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { expectManifestRanges, yaml } from '../../../../../test/helpers/manifests';

const object = (apiVersion: string, kind: string): string => yaml(`apiVersion: ${apiVersion}`, `kind: ${kind}`, 'metadata: { name: web }');

describe('unknown-kind', () => {
  it('ok: built-in kinds; CRD groups and beta versions the table does not judge; kind List', () => {
    expectManifestRanges(
      'unknown-kind',
      {
        'a.yaml': object('policy/v1', 'PodDisruptionBudget'),
        'b.yaml': object('networking.istio.io/v1beta1', 'EnvoyFilter'),
        'c.yaml': object('example.com/v1', 'Widget'),
        'd.yaml': object('v1', 'List'),
        'e.yaml': object('networking.k8s.io/v1beta1', 'ServiceCIDR'),
      },
      [],
    );
  });

  it('err: on the kind, naming where it lives, a removed kind, or its spelling', () => {
    const files = {
      'psp.yaml': object('policy/v1', 'PodSecurityPolicy'),
      'ing.yaml': object('apps/v1', 'Ingress'),
      'dep.yaml': object('apps/v1', 'deployment'),
      'odd.yaml': object('batch/v1', 'Task'),
    };
    const found = expectManifestRanges('unknown-kind', files, ['psp.yaml 2:7-2:24', 'ing.yaml 2:7-2:14', 'dep.yaml 2:7-2:17', 'odd.yaml 2:7-2:11']);
    assert.deepEqual(
      found.map((f) => f.message.replace(/^.*the release stops here\. /, '')),
      [
        'PodSecurityPolicy was removed from Kubernetes in 1.25 with no replacement.',
        'Ingress is served by networking.k8s.io/v1.',
        'Kinds are case-sensitive: write Deployment.',
        'It has: CronJob, Job.',
      ],
    );
    assert.match(found[0]!.message, /^policy\/v1 has no kind PodSecurityPolicy: kubectl apply fails/);
  });
});
