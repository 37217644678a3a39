import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { expectManifestRanges } from '../../../../../test/helpers/manifests';
import { deployment, GOOD_CONTAINER } from '../../../../../test/helpers/pod-fixtures';

describe('identical-probes', () => {
  it('ok: liveness differs from readiness', () => {
    expectManifestRanges('identical-probes', { 'd.yaml': deployment({ container: GOOD_CONTAINER }) }, []);
  });
  it('err: the same probe twice, whatever the key order, on the livenessProbe key', () => {
    const container = [
      '          readinessProbe: { httpGet: { path: /healthz, port: http }, periodSeconds: 5 }',
      '          livenessProbe: { periodSeconds: 5, httpGet: { port: http, path: /healthz } }',
    ];
    const [f] = expectManifestRanges('identical-probes', { 'd.yaml': deployment({ container }) }, ['d.yaml 20:11-20:24']);
    assert.match(f!.message, /same liveness and readiness probe/);
  });
});
