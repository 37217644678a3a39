import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { expectManifestRanges } from '../../../../../test/helpers/manifests';
import { deployment, GOOD_CONTAINER } from '../../../../../test/helpers/pod-fixtures';

describe('missing-resources', () => {
  it('ok: requests and a memory limit', () => {
    expectManifestRanges('missing-resources', { 'd.yaml': deployment({ container: GOOD_CONTAINER }) }, []);
  });
  it('err: none at all (on the name), or some missing (on the resources key)', () => {
    const partial = deployment({ container: ['          resources: { requests: { cpu: 100m } }'] });
    const found = expectManifestRanges('missing-resources', { 'a.yaml': deployment(), 'b.yaml': partial }, ['a.yaml 14:17-14:20', 'b.yaml 19:11-19:20']);
    assert.match(found[0]!.message, /sets no requests\.cpu, requests\.memory, limits\.memory/);
    assert.match(found[1]!.message, /sets no requests\.memory, limits\.memory/);
  });

  it('err: a Job too, without the rollout in its message (a Job is not rolled out)', () => {
    const [job] = expectManifestRanges('missing-resources', { 'j.yaml': deployment({ kind: 'Job' }).replace('apps/v1', 'batch/v1') }, ['j.yaml 14:17-14:20']);
    assert.match(
      job!.message,
      /^Container app of Job checkout sets no requests\.cpu, requests\.memory, limits\.memory: without requests the scheduler can place its pods/,
    );
  });
});
