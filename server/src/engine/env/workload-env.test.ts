import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManifestWorkspace } from '../manifests/workspace';
import type { OutsideKeys } from './types';
import { workspaceEnv } from './workload-env';

const DEPLOYMENT = [
  'apiVersion: apps/v1',
  'kind: Deployment',
  'metadata: { name: checkout, namespace: shop }',
  'spec:',
  '  template:',
  '    spec:',
  '      containers:',
  '        - name: app',
  '          image: shop/checkout:2',
  '          env: [{ name: PORT, value: "8080" }]',
  '          envFrom:',
  '            - configMapRef: { name: checkout-config }',
  '            - { prefix: STRIPE_, secretRef: { name: stripe } }',
].join('\n');
const WORKLOAD = { kind: 'Deployment', namespace: 'shop', name: 'checkout', source: ['src'] };

describe('the environment of a workload', () => {
  it('envFrom sources the workspace does not hold are unknown, by kind, namespace and name', () => {
    const workspace = new ManifestWorkspace();
    workspace.update('/repo/deploy.yaml', DEPLOYMENT);
    const [env] = workspaceEnv(workspace, new Set()).envOf(WORKLOAD);
    assert.deepEqual([...env!.names], ['PORT']);
    assert.deepEqual(env!.unknown, [
      { kind: 'ConfigMap', namespace: 'shop', name: 'checkout-config' },
      { kind: 'Secret', namespace: 'shop', name: 'stripe' },
    ]);
  });

  it('what the workspace does not hold, `outside` (the live cluster) may answer, with the prefix applied', () => {
    const workspace = new ManifestWorkspace();
    workspace.update('/repo/deploy.yaml', DEPLOYMENT);
    const asked: string[] = [];
    const outside: OutsideKeys = (kind, namespace, name) => {
      asked.push(`${kind} ${namespace}/${name}`);
      return kind === 'Secret' ? new Set(['KEY']) : undefined;
    };
    const [env] = workspaceEnv(workspace, new Set(), outside).envOf(WORKLOAD);
    assert.deepEqual(asked, ['ConfigMap shop/checkout-config', 'Secret shop/stripe']);
    assert.deepEqual([...env!.names], ['PORT', 'STRIPE_KEY']);
    assert.deepEqual(env!.unknown, [{ kind: 'ConfigMap', namespace: 'shop', name: 'checkout-config' }]);
  });

  it('records the lookups, so a change of the manifest names the code among its dependents', () => {
    const workspace = new ManifestWorkspace();
    workspace.update('/repo/deploy.yaml', DEPLOYMENT);
    const uses = new Set<string>();
    workspaceEnv(workspace, uses).envOf(WORKLOAD);
    workspace.recordUses('/repo/src/main.ts', uses);
    assert.deepEqual(workspace.update('/repo/deploy.yaml', DEPLOYMENT.replace('8080', '9090')), ['/repo/src/main.ts']);
    assert.deepEqual(workspace.update('/repo/other.yaml', 'apiVersion: v1\nkind: Service\nmetadata: { name: x }\n'), []);
  });
});
