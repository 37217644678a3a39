import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { expectManifestRanges, yaml } from '../../../../../test/helpers/manifests';
import { deployment } from '../../../../../test/helpers/pod-fixtures';

const rolling = (surge: string, unavailable: string): string[] => [
  '  strategy:',
  '    rollingUpdate:',
  `      maxSurge: ${surge}`,
  `      maxUnavailable: ${unavailable}`,
];

/** A Deployment without spec.replicas (an HPA scales it). */
const unscaled = (strategy: string[], podSpec: string[] = []): string => deployment({ strategy, podSpec }).replace('  replicas: 3\n', '');

const hpa = (target: string, minReplicas?: number): string =>
  yaml(
    'apiVersion: autoscaling/v2',
    'kind: HorizontalPodAutoscaler',
    `metadata: { name: ${target} }`,
    'spec:',
    `  scaleTargetRef: { apiVersion: apps/v1, kind: Deployment, name: ${target} }`,
    ...(minReplicas === undefined ? [] : [`  minReplicas: ${minReplicas}`]),
    '  maxReplicas: 4',
  );

const claim = (name: string, mode: string): string =>
  yaml(
    'apiVersion: v1',
    'kind: PersistentVolumeClaim',
    `metadata: { name: ${name} }`,
    'spec:',
    `  accessModes: [${mode}]`,
    '  resources: { requests: { storage: 10Gi } }',
  );

const recreate = ['  strategy:', '    type: Recreate'];
const mounting = (claimName: string): string[] => ['      volumes:', `        - name: storage`, `          persistentVolumeClaim: { claimName: ${claimName} }`];

describe('unsafe-rolling-update', () => {
  it('ok: defaults, 25 %, and one replica with the default 25 % (rounds down to 0 unavailable)', () => {
    expectManifestRanges(
      'unsafe-rolling-update',
      { 'a.yaml': deployment(), 'b.yaml': deployment({ strategy: rolling('25%', '0') }), 'c.yaml': deployment({ replicas: 1 }) },
      [],
    );
  });
  it("ok: replicas unset, maxUnavailable 1 under an HPA with minReplicas 2 (flagger's podinfo)", () => {
    expectManifestRanges('unsafe-rolling-update', { 'deploy.yaml': unscaled(rolling('25%', '1')), 'hpa.yaml': hpa('checkout', 2) }, []);
  });

  it('ok: Recreate with a ReadWriteOnce claim (minio standalone), or a claim the workspace does not show', () => {
    expectManifestRanges(
      'unsafe-rolling-update',
      {
        'minio.yaml': deployment({ strategy: recreate, podSpec: mounting('minio-pv-claim') }),
        'pvc.yaml': claim('minio-pv-claim', 'ReadWriteOnce'),
        'elsewhere.yaml': deployment({ strategy: recreate, podSpec: mounting('made-by-a-chart') }).replace('name: checkout', 'name: other'),
      },
      [],
    );
  });

  it('err: an HPA with minReplicas 1 (or none) lets maxUnavailable 1 stop every pod; Recreate with a ReadWriteMany claim or only an emptyDir', () => {
    const found = expectManifestRanges(
      'unsafe-rolling-update',
      {
        'a.yaml': unscaled(rolling('25%', '1')),
        'a-hpa.yaml': hpa('checkout', 1),
        'b.yaml': unscaled(rolling('25%', '1')).replace('name: checkout', 'name: web'),
        'b-hpa.yaml': hpa('web'),
        'c.yaml': deployment({ strategy: recreate, podSpec: mounting('shared') }).replace('name: checkout', 'name: files'),
        'c-pvc.yaml': claim('shared', 'ReadWriteMany'),
        'd.yaml': deployment({ strategy: recreate, podSpec: ['      volumes:', '        - { name: data, emptyDir: {} }'] }).replace(
          'name: checkout',
          'name: prometheus',
        ),
      },
      ['a.yaml 9:23-9:24', 'b.yaml 9:23-9:24', 'c.yaml 8:11-8:19', 'd.yaml 8:11-8:19'],
    );
    assert.match(found[0]!.message, /stop all 1 replica\(s\) \(minReplicas of HorizontalPodAutoscaler checkout\) at once/);
    assert.match(found[1]!.message, /stop all 1 replica\(s\) \(minReplicas of HorizontalPodAutoscaler web\) at once/);
    assert.match(found[2]!.message, /Deployment files uses the Recreate strategy/);
  });

  it('err: every replica down, surge doubling the pods, both zero, Recreate', () => {
    const found = expectManifestRanges(
      'unsafe-rolling-update',
      {
        'a.yaml': deployment({ replicas: 4, strategy: rolling('1', '100%') }),
        'b.yaml': deployment({ replicas: 4, strategy: rolling('100%', '0') }),
        'c.yaml': deployment({ strategy: rolling('0', '0') }),
        'd.yaml': deployment({ strategy: ['  strategy:', '    type: Recreate'] }),
        'e.yaml': deployment({ replicas: 1, strategy: rolling('1', '1') }),
      },
      ['a.yaml 10:23-10:27', 'b.yaml 9:17-9:21', 'c.yaml 9:17-9:18', 'd.yaml 8:11-8:19', 'e.yaml 10:23-10:24'],
    );
    assert.match(found[0]!.message, /lets the rollout stop all 4 replica\(s\) at once/);
    assert.match(found[1]!.message, /starts 4 extra pods next to 4, doubling the pods/);
    assert.match(found[2]!.message, /can never progress/);
    assert.match(found[3]!.message, /Recreate strategy/);
  });
});
