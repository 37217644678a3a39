import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findFlagReads } from './flag-reads';

/** Each read as `sdk method key [= default]`, with the key literal's text checked against its range. */
function reads(text: string): string[] {
  return findFlagReads(text).map((r) => {
    assert.match(text.slice(r.start, r.end), new RegExp(`^['"\`]${r.key}['"\`]$`));
    return `${r.sdk} ${r.method} ${r.key}${r.defaultValue === undefined ? '' : ` = ${JSON.stringify(r.defaultValue)}`}`;
  });
}

describe('flag reads', () => {
  it('OpenFeature: the four value and details forms, the default is the second argument', () => {
    const text = [
      "const a = await client.getBooleanValue('new-checkout', false);",
      'const b = await client.getStringValue("banner-colour", "blue", { targetingKey: user.id });',
      'const c = await client.getNumberValue(`max-items`, -3);',
      "const d = await client.getObjectValue<Theme>('theme', defaults.theme);",
      "const e = await client.getBooleanDetails('new-checkout', true);",
      "const f = await client.getStringDetails('banner-colour', 'red');",
      "const g = await client.getNumberDetails('max-items', 1_000);",
      "const h = await client.getObjectDetails('theme', {});",
    ].join('\n');
    assert.deepEqual(reads(text), [
      'openfeature getBooleanValue new-checkout = false',
      'openfeature getStringValue banner-colour = "blue"',
      'openfeature getNumberValue max-items = -3',
      'openfeature getObjectValue theme',
      'openfeature getBooleanDetails new-checkout = true',
      'openfeature getStringDetails banner-colour = "red"',
      'openfeature getNumberDetails max-items = 1000',
      'openfeature getObjectDetails theme',
    ]);
  });

  it('LaunchDarkly: server SDK (key, context, default) and browser SDK (key, default)', () => {
    const text = [
      "ld.variation('dark-mode', context, false);",
      "ld.boolVariation('dark-mode', { kind: 'user', key: id }, true);",
      "ld.stringVariation('tier', context, 'gold');",
      "ld.variationDetail('dark-mode', context, false);",
      "ld.boolVariationDetail('dark-mode', context, false);",
      "browserClient.variation('dark-mode', true);",
    ].join('\n');
    assert.deepEqual(reads(text), [
      'launchdarkly variation dark-mode = false',
      'launchdarkly boolVariation dark-mode = true',
      'launchdarkly stringVariation tier = "gold"',
      'launchdarkly variationDetail dark-mode = false',
      'launchdarkly boolVariationDetail dark-mode = false',
      'launchdarkly variation dark-mode = true',
    ]);
  });

  it('Unleash: isEnabled with and without a fallback, getVariant, the bare imported function', () => {
    const text = [
      "if (unleash.isEnabled('payment-new-flow')) pay();",
      "unleash.isEnabled('payment-new-flow', { userId }, true);",
      "const v = unleash.getVariant('button-colour', context);",
      "import { isEnabled } from 'unleash-client';",
      "isEnabled('old-banner', ctx);",
    ].join('\n');
    assert.deepEqual(reads(text), [
      'unleash isEnabled payment-new-flow',
      'unleash isEnabled payment-new-flow = true',
      'unleash getVariant button-colour',
      'unleash isEnabled old-banner',
    ]);
  });

  it('a key not known before the program runs is no read: names, substitutions, concatenations, empty keys', () => {
    const text = [
      'client.getBooleanValue(key, false);',
      'client.getBooleanValue(`flag-${name}`, false);',
      "client.getBooleanValue('prefix-' + name, false);",
      "client.getBooleanValue('', false);",
      'unleash.isEnabled(flags.PAYMENT);',
    ].join('\n');
    assert.deepEqual(reads(text), []);
  });

  it('comments, strings and declarations are not reads', () => {
    const text = [
      "// client.getBooleanValue('in-a-comment', false)",
      "/* unleash.isEnabled('in-a-block-comment') */",
      'const doc = "call ld.variation(\'in-a-string\', ctx, false)";',
      "const tpl = `isEnabled('in-a-template')`;",
      'function isEnabled(name: string): boolean { return false; }',
      'class Flags { getStringValue(key: string, fallback: string) { return fallback; } }',
    ].join('\n');
    assert.deepEqual(reads(text), []);
  });

  it('a default that is not a constant is left out; a call still being typed still yields its key', () => {
    assert.deepEqual(reads("client.getBooleanValue('a', isProd());\nclient.getStringValue('b', 'x' + y);\nclient.getBooleanValue('c'"), [
      'openfeature getBooleanValue a',
      'openfeature getStringValue b',
      'openfeature getBooleanValue c',
    ]);
  });
});
