import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, mergeSettings, parseConfig, validateSettings } from './config';
import { lintText } from './index';

/** The ConfigError `text` throws, as "line: message without its place". */
function problem(text: string): string {
  try {
    parseConfig(text, 'ci.yaml');
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
    assert.equal(error.source, 'ci.yaml');
    assert.equal(error.message, `ci.yaml:${error.line}: ${error.detail}`);
    return `${error.line}: ${error.detail}`;
  }
  return 'accepted';
}

describe('.rollout-guard.yaml: one schema', () => {
  it('reads every section, a bare prometheus URL as its url, and an empty value as no value', () => {
    const config = parseConfig(
      [
        'pgVersion: 15',
        'rules:',
        '  ban-drop-column: off',
        'prometheus: http://prometheus:9090',
        'gates:',
        '  preset: istio',
        '  interval:',
        '  queries:',
        '    - name: p99',
        '      query: sum(x{v="{{subset}}"})',
        '      failAbove: 300ms',
        'canary:',
        '  steps: [10, 50, 100]',
        'database:',
        '  url: postgres://deploy@db/app',
        'kubernetes:',
        '  anything: [goes, here]',
      ].join('\n'),
    );
    assert.deepEqual(config.settings, { pgVersion: 15, rules: { 'ban-drop-column': 'off' } });
    assert.deepEqual(config.sections, {
      prometheus: { url: 'http://prometheus:9090' },
      gates: { preset: 'istio', queries: [{ name: 'p99', query: 'sum(x{v="{{subset}}"})', failAbove: '300ms' }] },
      canary: { steps: [10, 50, 100] },
      database: { url: 'postgres://deploy@db/app' },
    });
    assert.deepEqual(parseConfig('prometheus:\n  url: http://p:9090\n  timeout: 5s\n').sections.prometheus, { url: 'http://p:9090', timeout: '5s' });
    assert.deepEqual(parseConfig('flags:\n  url: http://u:4242/api\n  environment: production\n').sections.flags, {
      url: 'http://u:4242/api',
      environment: 'production',
    });
    assert.deepEqual(parseConfig('').sections, {});
  });

  it('refuses unknown keys at every level, naming the known ones, at their line', () => {
    assert.match(problem('pgVersion: 15\nprometeus: http://p\n'), /^2: unknown setting "prometeus"\. Known: pgVersion, .*, prometheus, /);
    assert.equal(problem('prometheus:\n  url: http://p\n  token: secret\n'), '3: unknown setting prometheus.token. Known: url, timeout.');
    assert.equal(
      problem('gates:\n  thresholds: 1\n'),
      '2: unknown setting gates.thresholds. Known: preset, queries, interval, evaluateEvery, consecutiveFailures, autoRollback.',
    );
    assert.equal(
      problem('gates:\n  queries:\n    - name: a\n      query: q\n    - name: b\n      treshold: 1\n'),
      '6: unknown setting gates.queries[1].treshold. Known: name, query, failAbove, unit, description.',
    );
    assert.equal(problem('canary:\n  step: [5]\n'), '2: unknown setting canary.step. Known: steps.');
    assert.equal(problem('database:\n  uri: postgres://x@y/z\n'), '2: unknown setting database.uri. Known: url.');
    assert.equal(problem('rules:\n  no-such-rule: off\n'), '2: unknown rule "no-such-rule" under rules.');
    // The flag service's token never comes from the file.
    assert.equal(
      problem('flags:\n  url: http://u:4242/api\n  token: secret\n'),
      '3: unknown setting flags.token. Known: provider, url, file, featureFlag, environment, project, staleAfterDays.',
    );
  });

  it('refuses wrong types', () => {
    assert.equal(problem('prometheus: 9090\n'), '1: prometheus must be a URL or a mapping with url and timeout, got 9090.');
    assert.equal(problem('prometheus: [http://p]\n'), '1: prometheus must be a URL or a mapping with url and timeout, got ["http://p"].');
    assert.equal(problem('prometheus:\n  url: 9090\n'), '2: prometheus.url must be a string, got 9090.');
    assert.equal(
      problem('gates: on\n'),
      '1: gates must be a mapping, e.g. gates: { preset, queries, interval, evaluateEvery, consecutiveFailures, autoRollback }, got "on".',
    );
    assert.equal(problem('gates:\n  autoRollback: "no"\n'), '2: gates.autoRollback must be true or false, got "no".');
    assert.equal(problem('gates:\n  consecutiveFailures: three\n'), '2: gates.consecutiveFailures must be a number, got "three".');
    assert.equal(problem('gates:\n  queries:\n    name: a\n'), '2: gates.queries must be a list, got {"name":"a"}.');
    assert.equal(
      problem('gates:\n  queries:\n    - name: a\n      failAbove: [1]\n'),
      '4: gates.queries[0].failAbove must be a number or a string such as 500ms or 1%, got [1].',
    );
    assert.equal(problem('canary:\n  steps: [5, ten]\n'), '2: canary.steps[1] must be a number, got "ten".');
    assert.equal(
      problem('database: postgres://x@y/z\n'),
      '1: database must be a mapping, e.g. database: { url: postgres://deploy@db.internal:5432/app }, got "postgres://x@y/z".',
    );
    assert.equal(problem('pgVersion: 15\nassumeInTransaction: yes please\n'), '2: assumeInTransaction must be auto, true, false or implicit.');
    assert.equal(parseConfig('assumeInTransaction: implicit\n').settings.assumeInTransaction, 'implicit');
    assert.equal(parseConfig('assumeInTransaction: auto\n').settings.assumeInTransaction, 'auto');
    assert.equal(mergeSettings({}).assumeInTransaction, 'auto');
    assert.equal(problem('- pgVersion: 15\n'), '1: expected a mapping of settings at the top level.');
  });

  it('places a feature’s own check of a value at its line', () => {
    const config = parseConfig('pgVersion: 15\ngates:\n  queries:\n    - name: a\n      query: q\n', 'ci.yaml');
    const error = config.errorAt(['gates', 'queries', 0, 'query'], 'gate "a": not valid PromQL');
    assert.equal(error.message, 'ci.yaml:5: gate "a": not valid PromQL');
    // A path deeper than the file goes stops at the last key that is there.
    assert.equal(config.errorAt(['prometheus', 'url'], 'x').line, 1);
    assert.equal(parseConfig('prometheus: http://p\n').errorAt(['prometheus', 'url'], 'x').line, 1);
  });

  it('settings from other sources carry their source and no line', () => {
    assert.throws(
      () => validateSettings({ pgVersion: 3 }, 'command line'),
      (e: unknown) =>
        e instanceof ConfigError && e.line === undefined && e.message === 'command line: pgVersion must be a PostgreSQL major version from 9 to 18, got 3.',
    );
  });

  it('the language server marks the offending key with the same message', () => {
    const text = 'pgVersion: 15\nprometheus:\n  url: http://p\n  token: secret\n';
    const [finding, ...rest] = lintText({ fileName: '/w/.rollout-guard.yaml', text, settings: mergeSettings() });
    assert.equal(rest.length, 0);
    assert.equal(finding!.rule, 'invalid-config');
    assert.equal(finding!.message, '.rollout-guard.yaml:4: unknown setting prometheus.token. Known: url, timeout.');
    assert.equal(text.slice(finding!.start, finding!.end), 'token');
  });
});
