/** Hover on a weighted route: the effective traffic split, and the workloads behind each destination. */
import { asArray, asRecord, asString, get, isArgo, isIstio, podTemplate, stringMap } from './model';
import {
  containerImages,
  destinationRulesFor,
  findServices,
  hostService,
  istioRoutes,
  podsSelectedBy,
  splitArgoName,
  subsetsOf,
  weightValue,
  type IstioRoute,
  workloadRefTarget,
  type PodSource,
} from './traffic';
import { Lookup } from './lookup';
import type { ManifestWorkspace } from './workspace';
import { nodeAt, type ManifestObject, type Path } from './yaml';

export interface ManifestHover {
  start: number;
  end: number;
  /** Markdown. */
  contents: string;
}

interface Row {
  destination: string;
  weight: string;
  workload: string;
  replicas: string;
  image: string;
}

/** The traffic split of the VirtualService route, or Argo Rollout setWeight step, at `offset` in `file`. */
export function hoverManifest(workspace: ManifestWorkspace, file: string, offset: number): ManifestHover | undefined {
  // Hovers answer from the current graph; nothing is recorded as a lint dependency.
  const lookup = new Lookup(workspace, new Set());
  for (const object of workspace.objects(file)) {
    if (offset < object.start || offset > object.end) continue;
    if (object.kind === 'VirtualService' && isIstio(object)) {
      for (const route of istioRoutes(object)) {
        const range = rangeOf(object, route.path);
        if (range && offset >= range.start && offset < range.end && route.destinations.length) {
          return { ...range, contents: routeHover(lookup, object, route) };
        }
      }
    }
    if (object.kind === 'Rollout' && isArgo(object)) {
      const steps = asArray(get(object.data, ['spec', 'strategy', 'canary', 'steps']));
      for (let i = 0; i < steps.length; i++) {
        const range = rangeOf(object, ['spec', 'strategy', 'canary', 'steps', i]);
        if (!range || offset < range.start || offset >= range.end) continue;
        const weight = weightValue(asRecord(steps[i]).setWeight);
        return weight === undefined ? undefined : { ...range, contents: stepHover(lookup, object, i, weight) };
      }
    }
  }
  return undefined;
}

function rangeOf(object: ManifestObject, path: Path): { start: number; end: number } | undefined {
  const range = nodeAt(object.doc, path)?.range;
  return range ? { start: range[0], end: range[1] } : undefined;
}

const percent = (value: number): string => `${Math.round(value * 10) / 10}%`;
const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** `1.4.2` from `registry.example.com:5000/checkout:1.4.2`; digests shortened; no tag is `latest`. */
export function imageTag(image: string): string {
  if (!image) return '—';
  const at = image.indexOf('@');
  if (at >= 0) return image.slice(at + 1, at + 20) + '…';
  const slash = image.lastIndexOf('/');
  const colon = image.lastIndexOf(':');
  return colon > slash ? image.slice(colon + 1) : 'latest (no tag)';
}

function replicasOf(source: PodSource): string {
  const { object } = source;
  if (object.kind === 'DaemonSet') return 'one per node';
  if (object.kind === 'Experiment') return String(asRecord(asArray(get(object.data, ['spec', 'templates']))[0]).replicas ?? 1);
  const replicas = get(object.data, ['spec', 'replicas']);
  return typeof replicas === 'number' ? String(replicas) : '1 (default)';
}

const workloadName = (source: PodSource): string => `${source.object.kind} ${source.object.name}${source.variant ? ` (${source.variant})` : ''}`;

/** The Deployments / Rollouts behind a destination: its Service's selector plus its subset's labels. */
function backends(lookup: Lookup, vs: ManifestObject, host: string | undefined, subset: string | undefined): { pods: PodSource[]; note?: string } {
  if (!host) return { pods: [], note: 'no host' };
  const service = hostService(host, vs);
  if (!service) return { pods: [], note: 'outside the cluster' };
  const svc = findServices(lookup, service.name, service.scope)[0];
  let labels: Record<string, string> = {};
  if (subset !== undefined) {
    const defined = destinationRulesFor(lookup, host, vs)
      .flatMap(subsetsOf)
      .find((s) => s.name === subset);
    if (!defined) return { pods: [], note: `subset ${subset} is not defined` };
    labels = defined.labels;
  }
  if (!svc && !Object.keys(labels).length) return { pods: [], note: `no Service ${service.name} in the workspace` };
  const selector = { ...stringMap(svc ? get(svc.data, ['spec', 'selector']) : {}), ...labels };
  const pods = podsSelectedBy(lookup, selector, service.scope);
  return pods.length ? { pods } : { pods, note: 'no workload in the workspace has these pods' };
}

function table(rows: Row[]): string {
  return [
    '| Destination | Weight | Workload | Replicas | Image tag |',
    '| --- | ---: | --- | ---: | --- |',
    ...rows.map((r) => `| ${cell(r.destination)} | ${r.weight} | ${cell(r.workload)} | ${r.replicas} | ${cell(r.image)} |`),
  ].join('\n');
}

/** The same workload written in several files (Bookinfo has reviews-v1 in four) is one row. */
function unique(pods: PodSource[]): PodSource[] {
  const seen = new Set<string>();
  return pods.filter((p) => {
    const key = `${p.object.kind}/${p.object.namespace}/${p.object.name}/${p.variant ?? ''}`;
    return !seen.has(key) && !!seen.add(key);
  });
}

/** Whether a destination is the canary or the stable side of the Rollout that manages the route. */
function roleOf(rollout: ManifestObject | undefined, vs: ManifestObject, host: string | undefined, subset: string | undefined): string | undefined {
  if (!rollout) return undefined;
  const canary = asRecord(get(rollout.data, ['spec', 'strategy', 'canary']));
  const dr = asRecord(get(canary, ['trafficRouting', 'istio', 'destinationRule']));
  for (const role of ['canary', 'stable'] as const) {
    if (subset !== undefined && subset === dr[`${role}SubsetName`]) return role;
    const service = asString(canary[`${role}Service`]);
    if (subset === undefined && host && service && (host === service || hostService(host, vs)?.name === service)) return role;
  }
  return undefined;
}

function routeHover(lookup: Lookup, vs: ManifestObject, route: IstioRoute): string {
  const weights = route.destinations.map((d) => weightValue(d.weight) ?? 0);
  const sum = weights.reduce((a, b) => a + b, 0);
  const single = route.destinations.length === 1;
  const manager = managingRollout(lookup, vs, route);
  const rows: Row[] = [];
  route.destinations.forEach((d, i) => {
    const share = single ? 100 : sum > 0 ? (Math.max(0, weights[i]!) * 100) / sum : 0;
    const destination = d.subset !== undefined ? `${d.host ?? '?'} · subset ${d.subset}` : (d.host ?? '?');
    const { pods, note } = backends(lookup, vs, d.host, d.subset);
    const role = roleOf(manager, vs, d.host, d.subset);
    const first = { destination, weight: percent(share) };
    if (!pods.length) rows.push({ ...first, workload: `— (${note})`, replicas: '—', image: '—' });
    unique(pods).forEach((p, j) =>
      rows.push({
        ...(j === 0 ? first : { destination: '', weight: '' }),
        workload: workloadName(p) + (role && p.object === manager ? ` (${role} pods)` : ''),
        replicas: replicasOf(p),
        image: p.template ? [...new Set(containerImages(p.template).map(imageTag))].join(', ') : '—',
      }),
    );
  });
  const title = `**Traffic split** of ${route.protocol} route${route.name ? ` \`${route.name}\`` : ` #${route.index + 1}`} (VirtualService ${vs.name})`;
  const notes: string[] = [];
  if (!single && sum !== 100) notes.push(`The weights add up to ${sum}, not 100: Istio splits in proportion, as shown.`);
  if (manager) notes.push(`Rollout ${manager.name} manages these weights: its setWeight steps rewrite them during an update.`);
  return [title, '', table(rows), ...(notes.length ? ['', ...notes] : [])].join('\n');
}

/** An Argo Rollout that sets the weights of this route. */
function managingRollout(lookup: Lookup, vs: ManifestObject, route: IstioRoute): ManifestObject | undefined {
  return lookup.all('Rollout', undefined).find((rollout) => {
    if (!isArgo(rollout)) return false;
    const istio = asRecord(get(rollout.data, ['spec', 'strategy', 'canary', 'trafficRouting', 'istio']));
    const refs = [istio.virtualService, ...asArray(istio.virtualServices)].map(asRecord);
    return refs.some((ref) => {
      const name = asString(ref.name);
      if (!name || splitArgoName(name, rollout).name !== vs.name) return false;
      const routes = asArray(ref.routes);
      return routes.length ? routes.includes(route.name) : route.protocol === 'http';
    });
  });
}

function stepHover(lookup: Lookup, rollout: ManifestObject, index: number, weight: number): string {
  const canary = asRecord(get(rollout.data, ['spec', 'strategy', 'canary']));
  const routing = asRecord(canary.trafficRouting);
  const routed = Object.keys(routing).length > 0;
  const total = typeof get(rollout.data, ['spec', 'replicas']) === 'number' ? (get(rollout.data, ['spec', 'replicas']) as number) : 1;
  // The last setCanaryScale before this step decides the canary's replicas under traffic routing.
  let scale: Record<string, unknown> | undefined;
  asArray(canary.steps)
    .slice(0, index + 1)
    .forEach((s) => {
      const value = asRecord(s).setCanaryScale;
      if (value) scale = asRecord(value);
    });
  let canaryReplicas = Math.ceil((total * weight) / 100);
  if (routed && scale) {
    if (typeof scale.replicas === 'number') canaryReplicas = scale.replicas;
    else if (typeof scale.weight === 'number') canaryReplicas = Math.ceil((total * scale.weight) / 100);
  }
  const stableReplicas = routed && !canary.dynamicStableScale ? total : Math.max(0, total - canaryReplicas);
  const canaryShare = routed ? weight : canaryReplicas + stableReplicas > 0 ? (canaryReplicas * 100) / (canaryReplicas + stableReplicas) : 0;
  const istio = asRecord(routing.istio);
  const dr = asRecord(istio.destinationRule);
  const name = (role: 'canary' | 'stable'): string => {
    const subset = asString(dr[`${role}SubsetName`]);
    if (subset) return `subset ${subset}`;
    const service = asString(canary[`${role}Service`]);
    return service ? `Service ${service}` : `${role} pods`;
  };
  const target = podTemplate(rollout) ? undefined : workloadRefTarget(lookup, rollout);
  const template = podTemplate(rollout) ?? (target ? podTemplate(target) : undefined);
  const images = template ? [...new Set(containerImages(template).map(imageTag))] : [];
  const rows: Row[] = [
    {
      destination: name('canary'),
      weight: percent(canaryShare),
      workload: `Rollout ${rollout.name} (new revision)`,
      replicas: String(canaryReplicas),
      image: images.join(', ') || '—',
    },
    {
      destination: name('stable'),
      weight: percent(100 - canaryShare),
      workload: `Rollout ${rollout.name} (stable revision)`,
      replicas: String(stableReplicas),
      image: 'previous revision',
    },
  ];
  const notes = [
    routed
      ? 'The traffic router sets these weights; replicas follow setCanaryScale (or the weight) as shown.'
      : `No trafficRouting: the split comes from replica counts (${canaryReplicas} of ${canaryReplicas + stableReplicas} pods), so it is only approximate.`,
  ];
  return [`**Traffic split** at step ${index + 1} (setWeight: ${weight}) of Rollout ${rollout.name}`, '', table(rows), '', ...notes].join('\n');
}
