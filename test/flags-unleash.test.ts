/**
 * The Unleash provider's reading of strategies as a percentage, and its messages for answers a
 * real Unleash gives only under load or failure (429, 5xx, no answer), from a local HTTP server.
 * The happy paths and 401/404 run against the real Unleash in flags.test.ts.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { FlagServiceError, UnleashProvider } from '../operations/flags';
import { percentOf } from '../operations/flags/unleash';

const strategy = (name: string, parameters: Record<string, string> = {}, disabled = false) => ({ id: name, name, parameters, disabled });

describe('Unleash strategies as a percentage', () => {
  it('the largest share among active strategies: they add up', () => {
    assert.equal(percentOf([strategy('flexibleRollout', { rollout: '25' })]), 25);
    assert.equal(percentOf([strategy('flexibleRollout', { rollout: '25' }), strategy('gradualRolloutUserId', { percentage: '40' })]), 40);
    assert.equal(percentOf([strategy('flexibleRollout', { rollout: '25' }), strategy('default')]), 100);
  });

  it('no active strategy is everyone; strategies that pick users by id serve no share', () => {
    assert.equal(percentOf([]), 100);
    assert.equal(percentOf([strategy('flexibleRollout', { rollout: '10' }, true)]), 100);
    assert.equal(percentOf([strategy('userWithId', { userIds: 'ann' })]), 0);
    assert.equal(percentOf([strategy('flexibleRollout', {})]), 0);
  });
});

describe('Unleash provider: service failures', () => {
  let server: http.Server;
  let url: string;
  /** What the server does with the next request. */
  let answer: (res: http.ServerResponse) => void;
  before(async () => {
    server = http.createServer((_req, res) => answer(res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const failure = async (timeoutMs?: number): Promise<FlagServiceError> => {
    const provider = new UnleashProvider({ url, token: '*:*.secret-token', project: 'default', timeoutMs });
    const error = await provider.status('checkout-v2', 'production').then(
      () => assert.fail('expected a FlagServiceError'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof FlagServiceError, String(error));
    assert.ok(!error.message.includes('secret-token'));
    return error;
  };

  it('429 and 5xx: the service failed, try again later (exit 2, not a refusal)', async () => {
    answer = (res) => res.writeHead(503, { 'content-type': 'application/json' }).end('{"message":"Service Unavailable"}');
    const unavailable = await failure();
    assert.equal(unavailable.message, `the flag service at ${url} failed (HTTP 503: Service Unavailable); try again later`);
    assert.equal(unavailable.kind, 'server');
    assert.equal(unavailable.isRefusal, false);
    answer = (res) => res.writeHead(429).end();
    assert.equal((await failure()).message, `the flag service at ${url} failed (HTTP 429); try again later`);
  });

  it('an answer that is not the Admin API names the URL to check', async () => {
    answer = (res) => res.writeHead(404, { 'content-type': 'text/html' }).end('<html>not here</html>');
    assert.equal(
      (await failure()).message,
      `the flag service at ${url} has no admin/projects/default/features/checkout-v2 (HTTP 404); is the URL the Unleash API base, e.g. http://127.0.0.1:4242/api?`,
    );
    answer = (res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html>a login page</html>');
    assert.match(
      (await failure()).message,
      /did not answer like the Unleash Admin API: GET admin\/projects\/default\/features\/checkout-v2 answered something other than JSON$/,
    );
  });

  it('no answer within the request timeout', async () => {
    answer = () => {};
    const error = await failure(200);
    assert.equal(error.message, `the flag service at ${url} did not answer within 0.2 s`);
    assert.equal(error.kind, 'unreachable');
  });
});
