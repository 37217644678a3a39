import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { expectManifestRanges } from '../../../../../test/helpers/manifests';
import { deployment, GOOD_CONTAINER } from '../../../../../test/helpers/pod-fixtures';

describe('missing-liveness-probe', () => {
  it('ok: a container with a liveness probe', () => {
    expectManifestRanges('missing-liveness-probe', { 'd.yaml': deployment({ container: GOOD_CONTAINER }) }, []);
  });
  it('err: on the container name', () => {
    const [f] = expectManifestRanges('missing-liveness-probe', { 'd.yaml': deployment() }, ['d.yaml 14:17-14:20']);
    assert.match(f!.message, /Container app of Deployment checkout has no livenessProbe/);
    assert.equal(f!.finding.severity, 'info');
  });
});
