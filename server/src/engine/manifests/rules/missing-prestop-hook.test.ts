import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyManifestFix, expectManifestRanges, yaml } from '../../../../../test/helpers/manifests';
import { deployment, GOOD_CONTAINER } from '../../../../../test/helpers/pod-fixtures';

const service = yaml(
  'apiVersion: v1',
  'kind: Service',
  'metadata: { name: checkout }',
  'spec:',
  '  selector: { app: checkout }',
  '  ports: [{ port: 80, targetPort: http }]',
);

describe('missing-prestop-hook', () => {
  it('ok: a preStop sleep; a workload no Service selects', () => {
    expectManifestRanges('missing-prestop-hook', { 'd.yaml': deployment({ container: GOOD_CONTAINER }), 's.yaml': service }, []);
    const other = yaml('apiVersion: v1', 'kind: Service', 'metadata: { name: other }', 'spec:', '  selector: { app: other }');
    expectManifestRanges('missing-prestop-hook', { 'd.yaml': deployment(), 's.yaml': other }, []);
  });
  it('err: on the container a Service sends traffic to, with a fix that also raises a short grace period', () => {
    const text = deployment({ podSpec: ['      terminationGracePeriodSeconds: 5'] });
    const [f] = expectManifestRanges('missing-prestop-hook', { 'd.yaml': text, 's.yaml': service }, ['d.yaml 15:17-15:20']);
    assert.match(f!.message, /has no preStop hook/);
    const fixed = applyManifestFix(text, f!.finding);
    assert.equal(
      fixed,
      deployment({
        podSpec: ['      terminationGracePeriodSeconds: 20'],
        container: ['          lifecycle:', '            preStop:', '              exec:', '                command: ["sleep", "10"]'],
      }),
    );
  });
});
