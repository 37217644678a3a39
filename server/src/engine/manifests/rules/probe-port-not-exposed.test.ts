import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { expectManifestRanges } from '../../../../../test/helpers/manifests';
import { deployment } from '../../../../../test/helpers/pod-fixtures';

describe('probe-port-not-exposed', () => {
  it('ok: probes on the named port and on the declared number', () => {
    const container = ['          readinessProbe: { httpGet: { path: /ready, port: http } }', '          livenessProbe: { tcpSocket: { port: 8080 } }'];
    expectManifestRanges('probe-port-not-exposed', { 'd.yaml': deployment({ container }) }, []);
  });
  it('err: an unknown port name, and a number the container does not declare', () => {
    const container = ['          readinessProbe: { httpGet: { path: /ready, port: web } }', '          livenessProbe: { tcpSocket: { port: 9090 } }'];
    const found = expectManifestRanges('probe-port-not-exposed', { 'd.yaml': deployment({ container }) }, ['d.yaml 19:60-19:63', 'd.yaml 20:47-20:51']);
    assert.match(found[0]!.message, /uses port `web`, but the container declares no port named web \(it has: http\)/);
    assert.match(found[1]!.message, /checks port 9090, which the container does not declare \(it declares 8080\)/);
  });
});
