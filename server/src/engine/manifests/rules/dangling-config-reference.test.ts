import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { expectManifestRanges, yaml } from '../../../../../test/helpers/manifests';
import { deployment } from '../../../../../test/helpers/pod-fixtures';

const configMap = yaml('apiVersion: v1', 'kind: ConfigMap', 'metadata: { name: checkout-config }', 'data:', '  LOG_LEVEL: info');
const secret = yaml('apiVersion: v1', 'kind: Secret', 'metadata: { name: other }', 'stringData: { x: y }');
const env = (lines: string[]): string => deployment({ container: lines });

describe('dangling-config-reference', () => {
  it('ok: existing ConfigMap and key; optional references; Secrets when the workspace keeps none', () => {
    const text = env([
      '          env:',
      '            - name: LOG_LEVEL',
      '              valueFrom: { configMapKeyRef: { name: checkout-config, key: LOG_LEVEL } }',
      '            - name: OPTIONAL',
      '              valueFrom: { configMapKeyRef: { name: nope, key: x, optional: true } }',
      '            - name: PASSWORD',
      '              valueFrom: { secretKeyRef: { name: db, key: password } }',
    ]);
    expectManifestRanges('dangling-config-reference', { 'd.yaml': text, 'cm.yaml': configMap }, []);
  });
  it('err: a missing ConfigMap, a missing key (linked to the ConfigMap), a missing Secret where Secrets are kept', () => {
    const text = env([
      '          envFrom:',
      '            - configMapRef: { name: checkout-env }',
      '          env:',
      '            - name: LEVEL',
      '              valueFrom: { configMapKeyRef: { name: checkout-config, key: LEVEL } }',
      '            - name: PASSWORD',
      '              valueFrom: { secretKeyRef: { name: db, key: password } }',
    ]);
    const found = expectManifestRanges('dangling-config-reference', { 'd.yaml': text, 'cm.yaml': configMap, 'secret.yaml': secret }, [
      'd.yaml 20:37-20:49',
      'd.yaml 23:75-23:80',
      'd.yaml 25:50-25:52',
    ]);
    assert.match(found[0]!.message, /uses ConfigMap checkout-env, which is not in the workspace/);
    assert.match(found[1]!.message, /reads key `LEVEL` of ConfigMap checkout-config, which has no such key \(it has: LOG_LEVEL\)/);
    assert.equal(found[1]!.finding.related?.[0]?.file, 'cm.yaml');
    assert.match(found[2]!.message, /uses Secret db/);
  });

  it("ok: ConfigMaps a controller publishes into every namespace (the cluster CA, Istio's root certificate)", () => {
    const text = deployment({
      podSpec: [
        '      volumes:',
        '        - name: ca',
        '          projected:',
        '            sources:',
        '              - configMap: { name: kube-root-ca.crt }',
        '        - name: istiod-ca-cert',
        '          configMap: { name: istio-ca-root-cert }',
      ],
    });
    expectManifestRanges('dangling-config-reference', { 'd.yaml': text, 'cm.yaml': configMap }, []);
  });

  it('ok: Secrets synced by an ExternalSecret target or a SecretProviderClass (Secrets Store CSI driver)', () => {
    const text = env([
      '          env:',
      '            - name: USER',
      '              valueFrom: { secretKeyRef: { name: catalog-secret, key: username } }',
      '            - name: TOKEN',
      '              valueFrom: { secretKeyRef: { name: api-token, key: token } }',
    ]);
    const providerClass = yaml(
      'apiVersion: secrets-store.csi.x-k8s.io/v1',
      'kind: SecretProviderClass',
      'metadata: { name: catalog-spc }',
      'spec:',
      '  provider: aws',
      '  secretObjects:',
      '    - secretName: catalog-secret',
      '      type: Opaque',
      '      data: [{ objectName: username, key: username }]',
    );
    const external = yaml(
      'apiVersion: external-secrets.io/v1beta1',
      'kind: ExternalSecret',
      'metadata: { name: token-sync }',
      'spec: { target: { name: api-token }, dataFrom: [{ extract: { key: tokens } }] }',
    );
    expectManifestRanges('dangling-config-reference', { 'd.yaml': text, 'spc.yaml': providerClass, 'es.yaml': external, 'secret.yaml': secret }, []);
  });

  it("ok: a Secret another app of the repository keeps in git says nothing of this app's (created by hand)", () => {
    const text = env(['          env:', '            - name: PASSWORD', '              valueFrom: { secretKeyRef: { name: mysql, key: password } }']);
    expectManifestRanges('dangling-config-reference', { 'repo/wordpress/d.yaml': text, 'repo/kafka/secret.yaml': secret }, []);
  });
});
