/**
 * The flagd provider and `rollout-guard flag` with `provider: flagd`: the flag-definition file read
 * and edited in place (state, defaultVariant, fractional targeting), no token needed.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { beforeEach, describe, it } from 'node:test';
import { FlagdProvider } from '../operations/flags';
import { temporaryDirectory } from '../simulators/temp';
import { cli } from './helpers/cli';

const DEFINITION = {
  $schema: 'https://flagd.dev/schema/v0/flags.json',
  flags: {
    'payment-new-flow': {
      state: 'ENABLED',
      variants: { on: true, off: false },
      defaultVariant: 'off',
      targeting: { fractional: [{ cat: [{ var: '$flagd.flagKey' }, { var: 'email' }] }, ['on', 25], ['off', 75]] },
    },
    'dark-mode': { state: 'DISABLED', variants: { yes: true, no: false }, defaultVariant: 'yes' },
    'old-banner': { state: 'ENABLED', variants: { on: true, off: false }, defaultVariant: 'on', metadata: { deprecated: true } },
    'by-email': {
      state: 'ENABLED',
      variants: { on: true, off: false },
      defaultVariant: 'off',
      targeting: { if: [{ ends_with: [{ var: 'email' }, '@example.com'] }, 'on', 'off'] },
    },
    colour: { state: 'ENABLED', variants: { red: 'red', green: 'green', blue: 'blue' }, defaultVariant: 'red' },
  },
};

describe('flagd flag-definition files', () => {
  let dir: string;
  let file: string;
  const read = () => JSON.parse(fs.readFileSync(file, 'utf8')) as { $schema: string; flags: Record<string, Record<string, unknown>> };
  const provider = () => new FlagdProvider({ file, environment: 'production' });

  beforeEach(() => {
    dir = temporaryDirectory('rg-flagd-');
    fs.mkdirSync(path.join(dir, 'flags'));
    file = path.join(dir, 'flags/flags.flagd.json');
    fs.writeFileSync(file, JSON.stringify(DEFINITION, null, 2));
    fs.writeFileSync(path.join(dir, '.rollout-guard.yaml'), 'flags:\n  provider: flagd\n  file: flags/flags.flagd.json\n  environment: production\n');
  });

  it('reads state, the fractional share of the true variant, defaultVariant and the deprecated mark', async () => {
    const list = await cli(['flag', 'list', '--format', 'json'], dir, {});
    assert.equal(list.code, 0, list.stderr);
    assert.deepEqual(JSON.parse(list.stdout), {
      environment: 'production',
      flags: [
        { key: 'by-email', environment: 'production', enabled: true, percent: 0, stale: false },
        { key: 'colour', environment: 'production', enabled: true, percent: 0, stale: false },
        { key: 'dark-mode', environment: 'production', enabled: false, percent: 100, stale: false },
        { key: 'old-banner', environment: 'production', enabled: true, percent: 100, stale: true },
        { key: 'payment-new-flow', environment: 'production', enabled: true, percent: 25, stale: false },
      ],
    });
  });

  it('set --percent writes fractional targeting and keeps its bucketing; 0 and 100 set defaultVariant; off is DISABLED', async () => {
    const set = await cli(['flag', 'set', 'payment-new-flow', '--percent', '60'], dir, {});
    assert.equal(set.code, 0, set.stderr);
    assert.equal(set.stdout, 'payment-new-flow in production: on, 60 % (was on, 25 %)\n');
    assert.deepEqual(read().flags['payment-new-flow']!.targeting, {
      fractional: [{ cat: [{ var: '$flagd.flagKey' }, { var: 'email' }] }, ['on', 60], ['off', 40]],
    });
    await provider().setPercent('payment-new-flow', 'production', 100);
    assert.equal(read().flags['payment-new-flow']!.defaultVariant, 'on');
    assert.equal(read().flags['payment-new-flow']!.targeting, undefined);
    await provider().setPercent('dark-mode', 'production', 30);
    assert.deepEqual(read().flags['dark-mode']!.targeting, {
      fractional: [
        ['yes', 30],
        ['no', 70],
      ],
    });
    const off = await cli(['flag', 'off', 'payment-new-flow'], dir, {});
    assert.equal(off.stdout, 'payment-new-flow in production: off, 100 % (was on, 100 %)\n');
    assert.equal(read().flags['payment-new-flow']!.state, 'DISABLED');
    assert.equal(read().$schema, DEFINITION.$schema, 'the rest of the file stays');
    assert.deepEqual(fs.readdirSync(path.join(dir, 'flags')), ['flags.flagd.json'], 'no temporary file left');
  });

  it('refuses what a percentage cannot say, and names what is missing', async () => {
    const targeted = await cli(['flag', 'set', 'by-email', '--percent', '10'], dir, {});
    assert.equal(targeted.code, 1);
    assert.match(targeted.stderr, /flag "by-email" in .*flags\.flagd\.json has targeting other than one fractional split/);
    const colours = await cli(['flag', 'set', 'colour', '--percent', '10'], dir, {});
    assert.equal(colours.code, 1);
    assert.match(colours.stderr, /flag "colour" has variants red, green, blue: a percentage splits a flag of two variants/);
    const unknown = await cli(['flag', 'status', 'nope'], dir, {});
    assert.equal(unknown.code, 2);
    assert.equal(unknown.stderr, `rollout-guard: the flag file ${file} has no flag "nope"\n`);
    const environment = await cli(['flag', 'status', 'dark-mode', '--environment', 'staging'], dir, {});
    assert.equal(environment.code, 2);
    assert.match(environment.stderr, /is environment "production", not "staging"/);
    fs.writeFileSync(file, '{ "flags": ');
    const broken = await cli(['flag', 'list'], dir, {});
    assert.equal(broken.code, 2);
    assert.match(broken.stderr, /the flag file .* is not JSON/);
  });
});
