import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { expectManifestRanges } from '../../../../../test/helpers/manifests';
import { deployment } from '../../../../../test/helpers/pod-fixtures';

const rolling = (surge: string, unavailable: string): string[] => [
  '  strategy:',
  '    rollingUpdate:',
  `      maxSurge: ${surge}`,
  `      maxUnavailable: ${unavailable}`,
];

describe('unsafe-rolling-update', () => {
  it('ok: defaults, 25 %, and one replica with the default 25 % (rounds down to 0 unavailable)', () => {
    expectManifestRanges(
      'unsafe-rolling-update',
      { 'a.yaml': deployment(), 'b.yaml': deployment({ strategy: rolling('25%', '0') }), 'c.yaml': deployment({ replicas: 1 }) },
      [],
    );
  });
  it('err: every replica down, surge doubling the pods, both zero, Recreate', () => {
    const found = expectManifestRanges(
      'unsafe-rolling-update',
      {
        'a.yaml': deployment({ replicas: 4, strategy: rolling('1', '100%') }),
        'b.yaml': deployment({ replicas: 4, strategy: rolling('100%', '0') }),
        'c.yaml': deployment({ strategy: rolling('0', '0') }),
        'd.yaml': deployment({ strategy: ['  strategy:', '    type: Recreate'] }),
        'e.yaml': deployment({ replicas: 1, strategy: rolling('1', '1') }),
      },
      ['a.yaml 10:23-10:27', 'b.yaml 9:17-9:21', 'c.yaml 9:17-9:18', 'd.yaml 8:11-8:19', 'e.yaml 10:23-10:24'],
    );
    assert.match(found[0]!.message, /lets the rollout stop all 4 replica\(s\) at once/);
    assert.match(found[1]!.message, /starts 4 extra pods next to 4, doubling the pods/);
    assert.match(found[2]!.message, /can never progress/);
    assert.match(found[3]!.message, /Recreate strategy/);
  });
});
