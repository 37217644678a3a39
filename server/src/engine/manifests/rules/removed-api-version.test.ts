import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, mergeSettings, parseConfig } from '../../../../../server/src/engine';
import { applyManifestFix, expectManifestRanges, lintWorkspace, yaml } from '../../../../../test/helpers/manifests';

const cronJob = (apiVersion: string): string =>
  yaml(
    `apiVersion: ${apiVersion}`,
    'kind: CronJob',
    'metadata: { name: nightly }',
    'spec:',
    '  schedule: "0 3 * * *"',
    '  jobTemplate: { spec: { template: { spec: { restartPolicy: Never, containers: [{ name: job, image: job:1 }] } } } }',
  );

const ingress = yaml(
  'apiVersion: extensions/v1beta1',
  'kind: Ingress',
  'metadata: { name: web }',
  'spec:',
  '  rules:',
  '    - http:',
  '        paths:',
  '          - path: /',
  '            backend: { serviceName: web, servicePort: 80 }',
);

describe('removed-api-version', () => {
  it('ok: served apiVersions; a removal after the configured kubernetesVersion; CRD groups', () => {
    expectManifestRanges(
      'removed-api-version',
      {
        'cron.yaml': cronJob('batch/v1'),
        'old-cluster.yaml': cronJob('batch/v1beta1'),
        'crd.yaml': yaml('apiVersion: example.com/v1beta1', 'kind: Ingress', 'metadata: { name: w }'),
      },
      ['old-cluster.yaml 1:13-1:26'],
    );
    expectManifestRanges('removed-api-version', { 'old-cluster.yaml': cronJob('batch/v1beta1') }, [], { kubernetesVersion: '1.24' });
  });

  it('err: on the apiVersion, naming the replacement; a quick fix where only the apiVersion changes', () => {
    const text = cronJob('batch/v1beta1');
    const [finding] = expectManifestRanges('removed-api-version', { 'cron.yaml': text }, ['cron.yaml 1:13-1:26']);
    assert.match(
      finding!.message,
      /^CronJob batch\/v1beta1 is no longer served since Kubernetes 1\.25 \(kubernetesVersion is 1\.30\).*Use batch\/v1 \(only the apiVersion changes\)\.$/,
    );
    assert.equal(applyManifestFix(text, finding!.finding), cronJob('batch/v1'));
  });

  it('err: the changes besides the apiVersion, and no fix, where the replacement differs', () => {
    const [finding] = expectManifestRanges('removed-api-version', { 'ing.yaml': ingress }, ['ing.yaml 1:13-1:31']);
    assert.match(finding!.message, /Use networking\.k8s\.io\/v1; besides the apiVersion, backend\.serviceName\/servicePort become backend\.service\.name/);
    assert.equal(finding!.finding.fixes, undefined);
  });

  it('err: PodSecurityPolicy has no replacement, and says so', () => {
    const psp = yaml('apiVersion: policy/v1beta1', 'kind: PodSecurityPolicy', 'metadata: { name: restricted }', 'spec: { privileged: false }');
    const [finding] = expectManifestRanges('removed-api-version', { 'psp.yaml': psp }, ['psp.yaml 1:13-1:27']);
    assert.match(finding!.message, /PodSecurityPolicy has no replacement: .*Pod Security Admission/);
  });

  it('a removed apiVersion is schema-checked against its replacement', () => {
    const found = lintWorkspace({ 'ing.yaml': ingress }, { schemaValidation: 'on' }).filter((f) => f.rule === 'unknown-field');
    assert.deepEqual(
      found.map((f) => `${f.range} ${f.message}`),
      ['9:24-9:35 Unknown field `serviceName` in IngressBackend.', '9:42-9:53 Unknown field `servicePort` in IngressBackend.'],
    );
  });

  it('kubernetesVersion: quoted or a two-digit minor; 1.30 as a YAML number is ambiguous', () => {
    assert.equal(mergeSettings(parseConfig("kubernetesVersion: '1.30'").settings).kubernetesVersion, '1.30');
    assert.equal(mergeSettings(parseConfig('kubernetesVersion: v1.29.4').settings).kubernetesVersion, '1.29');
    assert.equal(mergeSettings(parseConfig('kubernetesVersion: 1.29').settings).kubernetesVersion, '1.29');
    assert.equal(mergeSettings().kubernetesVersion, '1.30');
    assert.throws(
      () => parseConfig('kubernetesVersion: 1.30'),
      (e: unknown) => e instanceof ConfigError && /kubernetesVersion must be quoted, e\.g\. '1\.30'/.test(e.message),
    );
    assert.throws(
      () => parseConfig('kubernetesVersion: latest'),
      (e: unknown) => e instanceof ConfigError && /kubernetesVersion must be a Kubernetes version/.test(e.message),
    );
  });
});
