/**
 * What each flag of a flagd flag definition evaluates to, for the hover: flagd's own evaluator
 * (`@openfeature/flagd-core`, the in-process resolver of OpenFeature's flagd provider) with an empty
 * evaluation context, and the shares of a top-level `fractional` split. It runs here, where the
 * definitions are read, and reaches the language server as data (FlagDefinition.evaluation): the
 * server bundle carries no evaluator.
 */
import { FlagdCore } from '@openfeature/flagd-core';
import type { FlagEvaluation } from '../../server/src/engine/flags/snapshot';

/** Each flag's evaluation, by key; none when flagd itself refuses the document. */
export function evaluateFlagd(document: { flags?: Record<string, unknown> }): Map<string, FlagEvaluation> {
  // Interpreted, not compiled: targeting rules from a file are never turned into functions.
  const core = new FlagdCore(undefined, silentLogger, { disableDynamicCodeGeneration: true });
  const evaluations = new Map<string, FlagEvaluation>();
  try {
    core.setConfigurations(JSON.stringify(document));
  } catch {
    return evaluations;
  }
  for (const [key, flag] of core.getFlags()) {
    const values = [...flag.variants.values()];
    const type = values.every((v) => typeof v === 'boolean')
      ? 'boolean'
      : values.every((v) => typeof v === 'string')
        ? 'string'
        : values.every((v) => typeof v === 'number')
          ? 'number'
          : 'object';
    // The code default stands in for "what the caller passed"; only its variant-less answers show it.
    const resolved = core.resolve(type, key, type === 'boolean' ? false : type === 'string' ? '' : type === 'number' ? 0 : {}, {});
    const split = fractionalSplit(flag.variants, (document.flags?.[key] as { targeting?: Record<string, unknown> } | undefined)?.targeting);
    evaluations.set(key, {
      reason: resolved.reason ?? 'UNKNOWN',
      ...(resolved.variant !== undefined && { variant: resolved.variant, value: JSON.stringify(flag.variants.get(resolved.variant)) }),
      ...(split && { split }),
    });
  }
  return evaluations;
}

/**
 * The shares of a top-level `fractional` targeting, as flagd buckets them: each variant's weight
 * (1 when left out) over the sum of the weights, in percent (rounded to one decimal).
 */
function fractionalSplit(variants: Map<string, unknown>, targeting: Record<string, unknown> | undefined): FlagEvaluation['split'] {
  const fractional = targeting?.fractional;
  if (!Array.isArray(fractional)) return undefined;
  const buckets = fractional.filter((b): b is [string, number?] => Array.isArray(b) && typeof b[0] === 'string');
  const weight = (b: [string, number?]): number => (typeof b[1] === 'number' ? Math.max(0, b[1]) : 1);
  const total = buckets.reduce((sum, b) => sum + weight(b), 0);
  if (total === 0) return undefined;
  return buckets.map((b) => ({
    variant: b[0],
    value: JSON.stringify(variants.get(b[0]) ?? null),
    percent: Math.round((weight(b) / total) * 1000) / 10,
  }));
}

const silentLogger = { error: () => {}, warn: () => {}, info: () => {}, debug: () => {} };
