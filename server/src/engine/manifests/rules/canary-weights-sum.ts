import { appendToMap, replaceValue } from '../edits';
import type { ManifestEdit, ManifestRule } from '../rule';
import { istioRoutes, weightValue, type IstioRoute } from '../traffic';

/** Weights scaled to add up to 100: proportional, rounded down, the remainder to the largest (the first of equals). */
export function rebalance(weights: number[]): number[] {
  const sum = weights.reduce((a, b) => a + Math.max(0, b), 0);
  const scaled = weights.map((w) => (sum > 0 ? Math.floor((Math.max(0, w) * 100) / sum) : 0));
  let largest = 0;
  weights.forEach((w, i) => {
    if (w > weights[largest]!) largest = i;
  });
  scaled[largest]! += 100 - scaled.reduce((a, b) => a + b, 0);
  return scaled;
}

const label = (route: IstioRoute, index: number): string => {
  const d = route.destinations[index]!;
  return d.subset ? `${d.host ?? '?'} ${d.subset}` : (d.host ?? `destination #${index + 1}`);
};

export const canaryWeightsSum: ManifestRule = {
  id: 'canary-weights-sum',
  severity: 'error',
  summary: "The weights of one route's destinations do not add up to 100: the canary gets a different share of traffic than written.",
  kinds: ['VirtualService'],
  check(object, ctx, report) {
    for (const route of istioRoutes(object)) {
      const { destinations } = route;
      if (destinations.length === 0) continue;
      if (destinations.length === 1 && destinations[0]!.weight === undefined) continue;
      // A weight we cannot read (a template placeholder, say) makes the sum unknowable.
      if (destinations.some((d) => d.weight !== undefined && weightValue(d.weight) === undefined)) continue;
      const weights = destinations.map((d) => weightValue(d.weight) ?? 0);
      const sum = weights.reduce((a, b) => a + b, 0);
      if (sum === 100) continue;
      const kind = route.protocol;
      const name = route.name ? ` ${route.name}` : '';
      let effect: string;
      if (destinations.length === 1) {
        effect = `with a single destination Istio sends it all traffic whatever its weight, so ${label(route, 0)} gets 100%, not the ${weights[0]}% written`;
      } else if (sum <= 0) {
        effect = 'no destination has a positive weight, so the route has nowhere to send traffic';
      } else {
        const biggest = weights.indexOf(Math.max(...weights));
        const share = Math.round((weights[biggest]! * 1000) / sum) / 10;
        effect = `Istio no longer rejects this and splits in proportion, so ${label(route, biggest)} gets ${share}%, not the ${weights[biggest]}% written`;
      }
      const missing = destinations.filter((d) => d.weight === undefined).length;
      const note = missing && destinations.length > 1 ? ` (${missing} destination${missing > 1 ? 's have' : ' has'} no weight, which counts as 0)` : '';
      const target = rebalance(weights);
      const edits: ManifestEdit[] = [];
      let fixable = true;
      for (const [i, d] of destinations.entries()) {
        if (weights[i] === target[i]) continue;
        const edit =
          d.weight !== undefined
            ? replaceValue(object, [...d.path, 'weight'], String(target[i]))
            : appendToMap(ctx.text, object, d.path, [`weight: ${target[i]}`]);
        if (!edit) fixable = false;
        else edits.push(edit);
      }
      report({
        path: [...route.path, 'route'],
        on: 'key',
        message: `The weights of ${kind} route${name} add up to ${sum}, not 100: ${effect}${note}. During a canary the new version gets a different share of traffic than intended. Make the weights add up to 100 (e.g. ${target.join('/')}).`,
        fixes: fixable && edits.length ? [{ title: `Rebalance weights to 100 (${target.join('/')})`, edits, preferred: true }] : [],
      });
    }
  },
};
