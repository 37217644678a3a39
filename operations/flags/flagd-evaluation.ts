/**
 * What each flag of a flagd flag definition evaluates to, for the hover: flagd's own evaluator
 * (`@openfeature/flagd-core`, the in-process resolver of OpenFeature's flagd provider) with an empty
 * evaluation context, and the shares of a top-level `fractional` split. It runs here, where the
 * definitions are read, and reaches the language server as data (FlagDefinition.evaluation): the
 * server bundle carries no evaluator, and the evaluator is loaded only when a flagd definition is
 * evaluated (`check` with an Unleash service never parses it).
 */
import type { FlagEvaluation } from '../../server/src/engine/flags/snapshot';

/** Each flag's evaluation, by key; none when flagd itself refuses the document. */
export async function evaluateFlagd(document: { flags?: Record<string, unknown> }): Promise<Map<string, FlagEvaluation>> {
  const { FlagdCore } = await import('@openfeature/flagd-core');
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

/** The shares of a top-level `fractional` targeting, in percent (to one decimal) of targetingKeys. */
function fractionalSplit(variants: Map<string, unknown>, targeting: Record<string, unknown> | undefined): FlagEvaluation['split'] {
  const buckets = fractionalBuckets(targeting);
  const total = buckets?.reduce((sum, b) => sum + b.weight, 0) ?? 0;
  if (!buckets || total === 0) return undefined;
  return buckets.map((b) => ({
    variant: b.variant,
    value: JSON.stringify(variants.get(b.variant) ?? null),
    percent: Math.round((b.weight * 1000) / total) / 10,
  }));
}

/**
 * The [variant, weight] buckets of a top-level `fractional` targeting as flagd weighs them (a
 * missing weight is 1, a negative one 0; a bucketing expression first is no bucket), or undefined
 * without one.
 */
export function fractionalBuckets(targeting: Record<string, unknown> | undefined): { variant: string; weight: number }[] | undefined {
  const fractional = targeting?.fractional;
  if (!Array.isArray(fractional)) return undefined;
  return fractional
    .filter((b): b is [string, unknown?] => Array.isArray(b) && typeof b[0] === 'string')
    .map(([variant, weight]) => ({ variant, weight: typeof weight === 'number' ? Math.max(0, weight) : 1 }));
}

const silentLogger = { error: () => {}, warn: () => {}, info: () => {}, debug: () => {} };
