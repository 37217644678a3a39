import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyManifestFix, expectManifestRanges } from '../../../../../test/helpers/manifests';
import { deployment } from '../../../../../test/helpers/pod-fixtures';

const sleep = (seconds: number): string[] => [`          lifecycle: { preStop: { exec: { command: ["/bin/sh", "-c", "sleep ${seconds}"] } } }`];

describe('termination-grace-too-short', () => {
  it('ok: the default 30 s covers a 10 s sleep; no preStop at all', () => {
    expectManifestRanges('termination-grace-too-short', { 'a.yaml': deployment({ container: sleep(10) }), 'b.yaml': deployment() }, []);
  });
  it('err: on the written grace period, with a fix; on the preStop key when the default applies', () => {
    const text = deployment({ podSpec: ['      terminationGracePeriodSeconds: 12'], container: sleep(10) });
    const [f] = expectManifestRanges('termination-grace-too-short', { 'a.yaml': text }, ['a.yaml 13:38-13:40']);
    assert.match(f!.message, /gives its pods 12 s to stop, but container app sleeps 10 s in preStop/);
    assert.equal(applyManifestFix(text, f!.finding), text.replace('terminationGracePeriodSeconds: 12', 'terminationGracePeriodSeconds: 20'));
    const [g] = expectManifestRanges('termination-grace-too-short', { 'b.yaml': deployment({ container: sleep(28) }) }, ['b.yaml 19:24-19:31']);
    assert.match(g!.message, /30 s to stop \(the default\)/);
  });
});
