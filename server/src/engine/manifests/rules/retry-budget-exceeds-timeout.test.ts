import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyManifestFix, expectManifestRanges, yaml } from '../../../../../test/helpers/manifests';
import { formatDuration, parseDuration } from '../traffic';

const virtualService = (...http: string[]): string =>
  yaml('apiVersion: networking.istio.io/v1', 'kind: VirtualService', 'metadata: { name: checkout }', 'spec:', '  hosts: [checkout]', '  http:', ...http);

const route = (timeout: string | undefined, retries: string): string[] => [
  '    - route:',
  '        - destination: { host: checkout }',
  ...(timeout ? [`      timeout: ${timeout}`] : []),
  `      retries: ${retries}`,
];

describe('retry-budget-exceeds-timeout', () => {
  it('ok: retries that fit in the timeout, no timeout, no perTryTimeout, a disabled timeout', () => {
    expectManifestRanges(
      'retry-budget-exceeds-timeout',
      {
        'vs.yaml': virtualService(
          ...route('10s', '{ attempts: 3, perTryTimeout: 2s }'),
          ...route('1m', '{ attempts: 2, perTryTimeout: 30s }'),
          ...route(undefined, '{ attempts: 5, perTryTimeout: 2s }'),
          ...route('2s', '{ attempts: 3 }'),
          ...route('0s', '{ attempts: 3, perTryTimeout: 2s }'),
        ),
      },
      [],
    );
  });

  it('err: on the timeout value, related to the retries, with a fix that raises the timeout', () => {
    const text = virtualService(...route('1.5s', '{ attempts: 3, perTryTimeout: 750ms }'), ...route('"5s"', '{ attempts: 2, perTryTimeout: 1m }'));
    const [ms, minutes] = expectManifestRanges('retry-budget-exceeds-timeout', { 'vs.yaml': text }, ['vs.yaml 9:16-9:20', 'vs.yaml 13:16-13:20']);
    assert.equal(
      ms!.message,
      "Retries allow 3 × 750ms = 2250ms, longer than this route's timeout of 1.5s: the timeout ends the request before the last retries run (the first try plus 3 retries can take 3s), so when a canary pod is slow the client gets a timeout instead of a retry on a healthy pod, and the configured attempts are never used. Raise timeout to at least 3s, or lower attempts or perTryTimeout.",
    );
    assert.deepEqual(
      ms!.finding.related?.map((r) => [r.file, r.start.line + 1, r.start.character + 1, r.message]),
      [['vs.yaml', 10, 7, 'retries: 3 attempts of up to 750ms each']],
    );
    assert.equal(applyManifestFix(text, ms!.finding), text.replace('timeout: 1.5s', 'timeout: 3s'));
    assert.match(minutes!.message, /^Retries allow 2 × 1m = 2m, longer than this route's timeout of 5s/);
    assert.equal(applyManifestFix(text, minutes!.finding), text.replace('timeout: "5s"', 'timeout: 3m'));
  });

  it('parses Istio durations', () => {
    assert.equal(parseDuration('1.5s'), 1500);
    assert.equal(parseDuration('250ms'), 250);
    assert.equal(parseDuration('1m30s'), 90_000);
    assert.equal(parseDuration('2h'), 7_200_000);
    assert.equal(parseDuration('0'), 0);
    assert.equal(parseDuration('10'), undefined);
    assert.equal(parseDuration('fast'), undefined);
    assert.equal(formatDuration(2250), '2250ms');
    assert.equal(formatDuration(180_000), '3m');
  });
});
