import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyManifestFix, expectManifestRanges, yaml } from '../../../../../test/helpers/manifests';

const deployment = (env: string, annotation: string, automount: string): string =>
  yaml(
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata:',
    '  name: web',
    `  annotations: { sidecar.istio.io/inject: ${annotation} }`,
    'spec:',
    '  selector: { matchLabels: { app: web } }',
    '  template:',
    '    metadata: { labels: { app: web } }',
    '    spec:',
    `      automountServiceAccountToken: ${automount}`,
    '      containers:',
    '        - name: app',
    '          image: web:1',
    `          env: [{ name: FEATURE_X, value: ${env} }]`,
  );

describe('yaml-boolean-string', () => {
  it('ok: quoted words, true/false, words in fields that are neither strings nor booleans', () => {
    expectManifestRanges('yaml-boolean-string', { 'deploy.yaml': deployment('"on"', "'false'", 'false') }, []);
    expectManifestRanges(
      'yaml-boolean-string',
      { 'cm.yaml': yaml('apiVersion: v1', 'kind: ConfigMap', 'metadata: { name: c }', 'data: { mode: "yes", other: maybe }') },
      [],
    );
    expectManifestRanges(
      'yaml-boolean-string',
      { 'crd.yaml': yaml('apiVersion: example.com/v1', 'kind: Widget', 'metadata: { name: w }', 'spec: { enabled: yes }') },
      [],
    );
  });

  it('err: string fields (env value, annotation, ConfigMap data, CRD labels) with a quoting fix; boolean fields with true/false', () => {
    const text = deployment('on', 'No', 'yes');
    const found = expectManifestRanges('yaml-boolean-string', { 'deploy.yaml': text }, [
      'deploy.yaml 5:43-5:45',
      'deploy.yaml 11:37-11:40',
      'deploy.yaml 15:43-15:45',
    ]);
    assert.match(found[0]!.message, /^`No` is a boolean to kubectl and Helm \(YAML 1\.1\) but a string here: the API server rejects the object/);
    assert.match(found[1]!.message, /^`yes` is true to kubectl \(YAML 1\.1\) but the string "yes" to YAML 1\.2 tools/);
    assert.equal(applyManifestFix(text, found[2]!.finding), deployment('"on"', 'No', 'yes'));
    assert.equal(applyManifestFix(text, found[1]!.finding), deployment('on', 'No', 'true'));
    expectManifestRanges('yaml-boolean-string', { 'cm.yaml': yaml('apiVersion: v1', 'kind: ConfigMap', 'metadata: { name: c }', 'data:', '  ENABLED: Y') }, [
      'cm.yaml 5:12-5:13',
    ]);
    expectManifestRanges(
      'yaml-boolean-string',
      { 'crd.yaml': yaml('apiVersion: example.com/v1', 'kind: Widget', 'metadata: { name: w, labels: { canary: off } }') },
      ['crd.yaml 3:40-3:43'],
    );
  });
});
