import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { expectManifestRanges } from '../../../../../test/helpers/manifests';
import { deployment } from '../../../../../test/helpers/pod-fixtures';

describe('selector-mismatch', () => {
  it('ok: the selector matches the template labels', () => {
    expectManifestRanges('selector-mismatch', { 'd.yaml': deployment() }, []);
  });
  it('err: on the selector key, for Deployments and Rollouts', () => {
    const wrong = deployment().replace('matchLabels: { app: checkout }', 'matchLabels: { app: checkout-v2 }');
    const rollout = deployment({ kind: 'Rollout' }).replace('matchLabels: { app: checkout }', 'matchLabels: { app: checkout-v2 }');
    const found = expectManifestRanges('selector-mismatch', { 'a.yaml': wrong, 'b.yaml': rollout }, ['a.yaml 7:3-7:11', 'b.yaml 7:3-7:11']);
    assert.match(found[0]!.message, /does not match its pod template labels \(app=checkout\)/);
    assert.match(found[1]!.message, /InvalidSpec/);
  });
});
