import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { expectManifestRanges } from '../../../../../test/helpers/manifests';
import { deployment } from '../../../../../test/helpers/pod-fixtures';

describe('probe-port-not-exposed', () => {
  it('ok: probes on the named port and on the declared number', () => {
    const container = ['          readinessProbe: { httpGet: { path: /ready, port: http } }', '          livenessProbe: { tcpSocket: { port: 8080 } }'];
    expectManifestRanges('probe-port-not-exposed', { 'd.yaml': deployment({ container }) }, []);
  });
  it('err: an unknown port name is an error; a number the container does not declare only a hint', () => {
    const container = ['          readinessProbe: { httpGet: { path: /ready, port: web } }', '          livenessProbe: { tcpSocket: { port: 9090 } }'];
    const found = expectManifestRanges('probe-port-not-exposed', { 'd.yaml': deployment({ container }) }, ['d.yaml 19:60-19:63', 'd.yaml 20:47-20:51']);
    assert.match(found[0]!.message, /uses port `web`, but the container declares no port named web \(it has: http\)/);
    assert.equal(found[0]!.finding.severity, 'error');
    assert.match(found[1]!.message, /checks port 9090, which the container does not declare \(it declares 8080\)\. That is fine if the app listens there/);
    assert.equal(found[1]!.finding.severity, 'hint');
  });

  it('err: a health port beside the declared one (spire-server: probes on 8080, declares grpc 8081) is a hint; a configured severity applies to both', () => {
    const container = [
      '          livenessProbe: { httpGet: { path: /live, port: 8080 } }',
      '          readinessProbe: { httpGet: { path: /ready, port: healthz } }',
    ];
    const text = deployment({ container }).replace('name: http\n              containerPort: 8080', 'name: grpc\n              containerPort: 8081');
    const found = expectManifestRanges('probe-port-not-exposed', { 'd.yaml': text }, ['d.yaml 19:58-19:62', 'd.yaml 20:60-20:67'], {
      rules: { 'probe-port-not-exposed': 'warning' },
    });
    assert.deepEqual(
      found.map((f) => f.finding.severity),
      ['warning', 'warning'],
    );
    assert.match(found[0]!.message, /checks port 8080, which the container does not declare \(it declares 8081\)/);
  });
});
