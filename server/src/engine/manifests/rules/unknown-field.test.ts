import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { expectManifestRanges, yaml } from '../../../../../test/helpers/manifests';

const service = (extra: string[]): string =>
  yaml(
    'apiVersion: v1',
    'kind: Service',
    'metadata:',
    '  name: checkout',
    'spec:',
    '  selector:',
    '    app: checkout',
    '  ports:',
    '    - port: 80',
    '      targetPort: http',
    ...extra,
  );

describe('unknown-field', () => {
  it('ok: a valid Service; a kind without a schema is not checked', () => {
    expectManifestRanges(
      'unknown-field',
      { 'svc.yaml': service([]), 'cm.yaml': yaml('apiVersion: example.com/v1', 'kind: Widget', 'metadata: { name: w }', 'spec: { anything: 1 }') },
      [],
    );
  });

  it('err: on the key of a misspelt field, with a suggestion; off when schemaValidation is off', () => {
    const files = { 'svc.yaml': service(['  sesionAffinity: ClientIP']) };
    const [finding] = expectManifestRanges('unknown-field', files, ['svc.yaml 11:3-11:17']);
    assert.match(finding!.message, /Unknown field `sesionAffinity` in ServiceSpec; did you mean `sessionAffinity`\?/);
    expectManifestRanges('unknown-field', files, [], { schemaValidation: 'off' });
  });

  it('ok: kustomize patch directives ($patch, $retainKeys, $setElementOrder, $deleteFromPrimitiveList) are not fields; a typo beside them is', () => {
    const patch = yaml(
      'apiVersion: apps/v1',
      'kind: Deployment',
      'metadata:',
      '  name: web',
      'spec:',
      '  strategy:',
      '    $retainKeys: [type]',
      '    type: Recreate',
      '  template:',
      '    metadata:',
      '      $deleteFromPrimitiveList/finalizers: [a]',
      '    spec:',
      '      $setElementOrder/containers: [{ name: web }]',
      '      containers:',
      '        - name: sidecar',
      '          $patch: delete',
      '        - name: web',
      '          imagePulPolicy: Always',
    );
    expectManifestRanges('unknown-field', { 'patch.yaml': patch }, ['patch.yaml 18:11-18:25']);
  });
});
