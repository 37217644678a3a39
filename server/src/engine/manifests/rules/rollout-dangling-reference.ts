import { appendToMap, replaceValue } from '../edits';
import { asArray, asRecord, asString, get, isArgo, isEmptySelector, isIstio, podTemplate, selectorMatches, stringMap } from '../model';
import type { ManifestReport, ManifestRule } from '../rule';
import {
  describeLabels,
  describeSelector,
  findServices,
  hostService,
  isCoreService,
  istioRoutes,
  rolloutServices,
  splitArgoName,
  subsetsOf,
  scopeOf,
  withoutControllerLabels,
  workloadRefTarget,
} from '../traffic';
import type { Lookup, NamespaceScope } from '../lookup';
import type { ManifestObject, Path } from '../yaml';

type Report = (finding: ManifestReport) => void;

const CANARY: Path = ['spec', 'strategy', 'canary'];
const BLUE_GREEN: Path = ['spec', 'strategy', 'blueGreen'];

/** Why a missing reference matters, per kind of target. */
const CONSEQUENCE =
  'Argo Rollouts rejects the Rollout (InvalidSpec) or fails its traffic step, and the update does not proceed: the release is stuck until this is fixed';

const inNamespace = (scope: NamespaceScope): string => (scope ? ` in namespace ${scope}` : '');

/** Objects of a kind with a name in other namespaces than `scope` (for "exists elsewhere"). */
function elsewhere(lookup: Lookup, kind: string, name: string, scope: NamespaceScope, filter: (o: ManifestObject) => boolean): ManifestObject[] {
  if (scope === undefined) return [];
  return lookup.all(kind, undefined).filter((o) => filter(o) && o.name === name && o.namespaceWritten && o.namespace !== scope);
}

/** Labels of the pods a Rollout runs in a role (canaryMetadata / stableMetadata / … added), when known. */
function podLabels(lookup: Lookup, rollout: ManifestObject, role: string): Record<string, string> | undefined {
  const target = podTemplate(rollout) ? undefined : workloadRefTarget(lookup, rollout);
  const base = podTemplate(rollout) ?? (target ? podTemplate(target) : undefined);
  if (!base) return undefined;
  const metadata: Record<string, Path> = {
    canaryService: [...CANARY, 'canaryMetadata', 'labels'],
    stableService: [...CANARY, 'stableMetadata', 'labels'],
    activeService: [...BLUE_GREEN, 'activeMetadata', 'labels'],
    previewService: [...BLUE_GREEN, 'previewMetadata', 'labels'],
  };
  return { ...base.labels, ...(metadata[role] ? stringMap(get(rollout.data, metadata[role])) : {}) };
}

function checkServices(rollout: ManifestObject, lookup: Lookup, report: Report): void {
  const scope = scopeOf(rollout);
  for (const ref of rolloutServices(rollout)) {
    const found = findServices(lookup, ref.name, scope);
    if (!found.length) {
      const other = elsewhere(lookup, 'Service', ref.name, scope, isCoreService);
      report({
        path: ref.path,
        message: `${ref.role} \`${ref.name}\` names no Service${inNamespace(scope)} in the workspace: ${CONSEQUENCE}.${other.length ? ` A Service ${ref.name} exists in namespace ${other[0]!.namespace}; the Rollout and its Services must share a namespace.` : ` Add the Service (its selector on the Rollout's pod labels) or fix the name.`}`,
        related: other.slice(0, 1).map((o) => ({ object: o, path: ['metadata', 'name'], message: `Service ${o.name} in namespace ${o.namespace}` })),
      });
      continue;
    }
    const labels = podLabels(lookup, rollout, ref.role);
    const service = found[0]!;
    const selector = get(service.data, ['spec', 'selector']);
    if (!labels || !selector || isEmptySelector(selector)) continue;
    if (found.some((s) => selectorMatches(withoutControllerLabels(get(s.data, ['spec', 'selector'])), labels))) continue;
    report({
      path: ref.path,
      message: `${ref.role} \`${ref.name}\` selects ${describeSelector(selector)}, but the pods of Rollout ${rollout.name} are labelled ${describeLabels(labels)}: Argo Rollouts adds the pod-template hash to this selector, and the Service gets no endpoints, so the traffic Argo shifts through it fails. Make the Service's selector match the Rollout's pod template labels.`,
      related: [{ object: service, path: ['spec', 'selector'], message: `Service ${service.name} selects ${describeSelector(selector)}` }],
    });
  }
}

function checkWorkloadRef(rollout: ManifestObject, lookup: Lookup, report: Report): void {
  const ref = asRecord(get(rollout.data, ['spec', 'workloadRef']));
  const name = asString(ref.name);
  if (!name) return;
  if (workloadRefTarget(lookup, rollout)) return;
  const kind = asString(ref.kind) ?? 'Deployment';
  const scope = scopeOf(rollout);
  const other = elsewhere(lookup, kind, name, scope, () => true);
  report({
    path: ['spec', 'workloadRef', 'name'],
    message: `workloadRef names ${kind} \`${name}\`, which is not${inNamespace(scope)} in the workspace: the Rollout has no pod template: ${CONSEQUENCE}. Add the ${kind} (it may have replicas: 0) or fix the name.`,
    related: other.slice(0, 1).map((o) => ({ object: o, path: ['metadata', 'name'], message: `${kind} ${o.name} in namespace ${o.namespace}` })),
  });
}

const ISTIO: Path = [...CANARY, 'trafficRouting', 'istio'];

/** The canary and stable subsets a Rollout's Istio traffic routing names (subset-level splitting). */
interface Subsets {
  canary?: string;
  stable?: string;
}

function checkIstio(rollout: ManifestObject, lookup: Lookup, report: Report): void {
  const istio = asRecord(get(rollout.data, ISTIO));
  if (!Object.keys(istio).length) return;
  const subsets = checkDestinationRule(rollout, lookup, asRecord(istio.destinationRule), report);
  const refs: VirtualServiceRef[] = [];
  if (istio.virtualService) refs.push({ path: [...ISTIO, 'virtualService'], value: asRecord(istio.virtualService) });
  asArray(istio.virtualServices).forEach((v, i) => refs.push({ path: [...ISTIO, 'virtualServices', i], value: asRecord(v) }));
  for (const ref of refs) checkVirtualService(rollout, lookup, ref, subsets, report);
}

/** The DestinationRule and its subsets exist; returns the subsets when the DestinationRule does. */
function checkDestinationRule(rollout: ManifestObject, lookup: Lookup, drRef: Record<string, unknown>, report: Report): Subsets | undefined {
  const drPath: Path = [...ISTIO, 'destinationRule'];
  const drName = asString(drRef.name);
  if (!drName) return undefined;
  const { name, scope } = splitArgoName(drName, rollout);
  const rules = lookup.all('DestinationRule', scope).filter((o) => isIstio(o) && o.name === name);
  if (!rules.length) {
    const other = elsewhere(lookup, 'DestinationRule', name, scope, isIstio);
    report({
      path: [...drPath, 'name'],
      message: `destinationRule \`${drName}\` names no DestinationRule${inNamespace(scope)} in the workspace: without it the canary and stable subsets cannot be set. ${CONSEQUENCE}. Add the DestinationRule with the ${asString(drRef.canarySubsetName) ?? 'canary'} and ${asString(drRef.stableSubsetName) ?? 'stable'} subsets, or fix the name.`,
      related: other.slice(0, 1).map((o) => ({ object: o, path: ['metadata', 'name'], message: `DestinationRule ${o.name} in namespace ${o.namespace}` })),
    });
    return undefined;
  }
  const defined = rules.flatMap((r) => subsetsOf(r).map((s) => s.name));
  for (const key of ['canarySubsetName', 'stableSubsetName'] as const) {
    const subset = asString(drRef[key]);
    if (subset === undefined || defined.includes(subset)) continue;
    const fixes = defined.flatMap((s) => {
      const edit = replaceValue(rollout, [...drPath, key], s);
      return edit ? [{ title: `Use subset ${s}`, edits: [edit] }] : [];
    });
    report({
      path: [...drPath, key],
      message: `${key} \`${subset}\` is not a subset of DestinationRule ${name} (it defines ${defined.length ? defined.join(', ') : 'no subsets'}): the ${key.startsWith('canary') ? 'canary' : 'stable'} pods cannot be pointed at it. ${CONSEQUENCE}. Add the subset to the DestinationRule or use one of its subsets.`,
      related: [
        {
          object: rules[0]!,
          path: subsetsOf(rules[0]!).length ? ['spec', 'subsets'] : ['spec', 'host'],
          message: `DestinationRule ${name} defines ${defined.join(', ') || 'no subsets'}`,
        },
      ],
      fixes,
    });
  }
  return { canary: asString(drRef.canarySubsetName), stable: asString(drRef.stableSubsetName) };
}

/** A `virtualService` / `virtualServices[i]` entry of the Rollout's Istio traffic routing. */
interface VirtualServiceRef {
  path: Path;
  value: Record<string, unknown>;
}

type HttpRoute = ReturnType<typeof istioRoutes>[number];

/** An http route the Rollout sets weights on, and where the Rollout names it. */
interface CheckedRoute {
  path: Path;
  vs: ManifestObject;
  route: HttpRoute;
}

const httpRoutes = (vs: ManifestObject): HttpRoute[] => istioRoutes(vs).filter((r) => r.protocol === 'http');

/** The VirtualService exists, has the routes the Rollout names, and each sends traffic to both sides. */
function checkVirtualService(rollout: ManifestObject, lookup: Lookup, ref: VirtualServiceRef, subsets: Subsets | undefined, report: Report): void {
  const written = asString(ref.value.name);
  if (!written) return;
  const { name, scope } = splitArgoName(written, rollout);
  const services = lookup.all('VirtualService', scope).filter((o) => isIstio(o) && o.name === name);
  if (!services.length) {
    const other = elsewhere(lookup, 'VirtualService', name, scope, isIstio);
    report({
      path: [...ref.path, 'name'],
      message: `virtualService \`${written}\` names no Istio VirtualService${inNamespace(scope)} in the workspace: the canary weights have nowhere to go. ${CONSEQUENCE}. Add the VirtualService (with the routes this Rollout names) or fix the name.`,
      related: other.slice(0, 1).map((o) => ({ object: o, path: ['metadata', 'name'], message: `VirtualService ${o.name} in namespace ${o.namespace}` })),
    });
    return;
  }
  const routeNames = asArray(ref.value.routes);
  if (routeNames.length === 0 && (ref.value.tlsRoutes || ref.value.tcpRoutes)) return;
  // Argo checks http routes only in a VirtualService with an http section: one with only tls/tcp routes splits by host.
  if (!services.some((vs) => get(vs.data, ['spec', 'http']) !== undefined) && istioRoutes(services[0]!).length) return;
  const checked = routeNames.length === 0 ? theOnlyRoute(rollout, ref, name, services, report) : namedRoutes(rollout, ref, name, services, report);
  for (const route of checked) checkRouteSides(rollout, name, route, subsets, report);
}

/** Without routes, Argo needs the VirtualService to have exactly one http route. */
function theOnlyRoute(rollout: ManifestObject, ref: VirtualServiceRef, name: string, services: ManifestObject[], report: Report): CheckedRoute[] {
  const single = services.find((vs) => httpRoutes(vs).length === 1);
  if (single) return [{ path: [...ref.path, 'name'], vs: single, route: httpRoutes(single)[0]! }];
  const vs = services[0]!;
  report({
    path: [...ref.path, 'name'],
    message: `virtualService \`${asString(ref.value.name)}\` sets no routes, so Argo Rollouts needs exactly one http route in it, but VirtualService ${name} has ${httpRoutes(vs).length}: ${CONSEQUENCE}. List the http route names to split under routes.`,
    related: [{ object: vs, path: ['spec', 'http'], message: `VirtualService ${name} has ${httpRoutes(vs).length} http routes` }],
  });
  return [];
}

/** The http routes the Rollout names, each found in one of the VirtualServices; a missing one is reported. */
function namedRoutes(rollout: ManifestObject, ref: VirtualServiceRef, name: string, services: ManifestObject[], report: Report): CheckedRoute[] {
  const checked: CheckedRoute[] = [];
  asArray(ref.value.routes).forEach((value, i) => {
    const routeName = typeof value === 'string' ? value : undefined;
    if (routeName === undefined) return;
    for (const vs of services) {
      const route = httpRoutes(vs).find((r) => r.name === routeName);
      if (route) {
        checked.push({ path: [...ref.path, 'routes', i], vs, route });
        return;
      }
    }
    const vs = services[0]!;
    const names = httpRoutes(vs)
      .map((r) => r.name)
      .filter((n): n is string => !!n);
    const fixes = names.flatMap((n) => {
      const edit = replaceValue(rollout, [...ref.path, 'routes', i], n);
      return edit ? [{ title: `Use route ${n}`, edits: [edit] }] : [];
    });
    report({
      path: [...ref.path, 'routes', i],
      message: `VirtualService ${name} has no http route named \`${routeName}\` (${names.length ? `its named routes: ${names.join(', ')}` : 'its http routes have no names'}): the canary weight cannot be set on it. ${CONSEQUENCE}. Give the route this name in the VirtualService, or name an existing route.`,
      related: [{ object: vs, path: ['spec', 'http'], message: `http routes of VirtualService ${name}` }],
      fixes,
    });
  });
  return checked;
}

/** The route must send traffic to both the canary and the stable side: subsets, or else Services. */
function checkRouteSides(rollout: ManifestObject, name: string, { path, vs, route }: CheckedRoute, subsets: Subsets | undefined, report: Report): void {
  const missing: string[] = [];
  if (subsets) {
    for (const [role, subset] of [
      ['canary', subsets.canary],
      ['stable', subsets.stable],
    ] as const) {
      if (subset && !route.destinations.some((d) => d.subset === subset)) missing.push(`the ${role} subset ${subset}`);
    }
  } else {
    for (const [role, service] of [
      ['canary', asString(get(rollout.data, [...CANARY, 'canaryService']))],
      ['stable', asString(get(rollout.data, [...CANARY, 'stableService']))],
    ] as const) {
      if (!service) continue;
      const hit = route.destinations.some((d) => d.host === service || (d.host !== undefined && hostService(d.host, vs)?.name === service));
      if (!hit) missing.push(`the ${role} Service ${service}`);
    }
  }
  if (!missing.length) return;
  report({
    path,
    message: `http route ${route.name ?? '(unnamed)'} of VirtualService ${name} has no destination for ${missing.join(' or ')}: Argo Rollouts sets weights only on destinations the route already has. ${CONSEQUENCE}. Add both the stable and the canary destination to the route.`,
    related: [{ object: vs, path: [...route.path, 'route'], message: `destinations of http route ${route.name ?? '(unnamed)'}` }],
  });
}

/** The Service names the http rules of an Ingress send traffic to (networking.k8s.io/v1 and the older serviceName form). */
function ingressBackends(ingress: ManifestObject): string[] {
  return asArray(get(ingress.data, ['spec', 'rules'])).flatMap((rule) =>
    asArray(get(rule, ['http', 'paths'])).flatMap((p) => {
      const backend = asRecord(asRecord(p).backend);
      const name = asString(get(backend, ['service', 'name'])) ?? asString(backend.serviceName);
      return name === undefined ? [] : [name];
    }),
  );
}

function checkIngresses(rollout: ManifestObject, lookup: Lookup, report: Report): void {
  const scope = scopeOf(rollout);
  const routing: Path = [...CANARY, 'trafficRouting'];
  const stable = asString(get(rollout.data, [...CANARY, 'stableService']));
  const rootPath: Path = [...routing, 'alb', 'rootService'];
  const root = asString(get(rollout.data, rootPath));
  const refs: { path: Path; routed: string | undefined }[] = [];
  const add = (path: Path, routed: string | undefined): void => {
    const value = get(rollout.data, path);
    if (typeof value === 'string') refs.push({ path, routed });
    else asArray(value).forEach((_, i) => refs.push({ path: [...path, i], routed }));
  };
  // Argo requires a rule of each Ingress to route to the stable Service, or for ALB to rootService:
  // there an action name (`service.name: <rootService>`, `port.name: use-annotation`), not a Service.
  add([...routing, 'nginx', 'stableIngress'], stable);
  add([...routing, 'nginx', 'stableIngresses'], stable);
  add([...routing, 'alb', 'ingress'], root ?? stable);
  add([...routing, 'alb', 'ingresses'], root ?? stable);
  for (const { path, routed } of refs) {
    const name = asString(get(rollout.data, path));
    if (!name) continue;
    const ingresses = lookup.all('Ingress', scope).filter((o) => o.name === name);
    if (!ingresses.length) {
      report({
        path,
        message: `Ingress \`${name}\` is not${inNamespace(scope)} in the workspace: Argo Rollouts copies it to build the canary Ingress. ${CONSEQUENCE}. Add the Ingress or fix the name.`,
      });
      continue;
    }
    // Copies of one Ingress (alternative fixtures): any of them routing it is enough.
    if (!routed || ingresses.some((i) => ingressBackends(i).includes(routed))) continue;
    const isRoot = routed === root;
    report({
      path: isRoot ? rootPath : path,
      message: `Ingress ${name} has no rule whose backend is \`${routed}\`: Argo Rollouts requires one (${isRoot ? 'for ALB, rootService is the action a rule routes to: service.name ' + routed + ' with port.name use-annotation' : 'it splits the traffic of the rule that routes to the stable Service'}). ${CONSEQUENCE}. Route a rule of the Ingress to ${routed}${isRoot ? '' : ', or fix the name'}.`,
      related: [
        {
          object: ingresses[0]!,
          path: get(ingresses[0]!.data, ['spec', 'rules']) ? ['spec', 'rules'] : ['metadata', 'name'],
          message: `rules of Ingress ${name}`,
        },
      ],
    });
  }
}

/** Every AnalysisTemplate reference of a Rollout: steps, background analysis, experiments, blue-green pre/post promotion. */
function analysisRefs(rollout: ManifestObject): Path[] {
  const out: Path[] = [];
  const templates = (path: Path, key = 'templates'): void => asArray(get(rollout.data, [...path, key])).forEach((_, i) => out.push([...path, key, i]));
  asArray(get(rollout.data, [...CANARY, 'steps'])).forEach((step, i) => {
    if (asRecord(step).analysis) templates([...CANARY, 'steps', i, 'analysis']);
    if (asRecord(step).experiment) templates([...CANARY, 'steps', i, 'experiment'], 'analyses');
  });
  templates([...CANARY, 'analysis']);
  templates([...BLUE_GREEN, 'prePromotionAnalysis']);
  templates([...BLUE_GREEN, 'postPromotionAnalysis']);
  return out;
}

function checkAnalysis(rollout: ManifestObject, ctx: { lookup: Lookup; text: string }, report: Report): void {
  const scope = scopeOf(rollout);
  for (const path of analysisRefs(rollout)) {
    const ref = asRecord(get(rollout.data, path));
    const name = asString(ref.templateName);
    if (!name) continue;
    const cluster = ref.clusterScope === true;
    const found = cluster
      ? ctx.lookup.all('ClusterAnalysisTemplate', undefined).filter((o) => isArgo(o) && o.name === name)
      : ctx.lookup.all('AnalysisTemplate', scope).filter((o) => isArgo(o) && o.name === name);
    if (found.length) continue;
    const wanted = cluster ? 'ClusterAnalysisTemplate' : 'AnalysisTemplate';
    const otherKind = cluster
      ? ctx.lookup.all('AnalysisTemplate', scope).filter((o) => isArgo(o) && o.name === name)
      : ctx.lookup.all('ClusterAnalysisTemplate', undefined).filter((o) => isArgo(o) && o.name === name);
    const otherNs = cluster ? [] : elsewhere(ctx.lookup, 'AnalysisTemplate', name, scope, isArgo);
    const fixes: NonNullable<ManifestReport['fixes']> = [];
    let hint: string;
    if (otherKind.length && !cluster) {
      hint = ` A ClusterAnalysisTemplate ${name} exists: set clusterScope: true to use it.`;
      const edit = appendToMap(ctx.text, rollout, path, ['clusterScope: true']);
      if (edit) fixes.push({ title: 'Set clusterScope: true', edits: [edit], preferred: true });
    } else if (otherKind.length) {
      hint = ` An AnalysisTemplate ${name} exists in the Rollout's namespace: remove clusterScope: true to use it.`;
      const edit = replaceValue(rollout, [...path, 'clusterScope'], 'false');
      if (edit) fixes.push({ title: 'Set clusterScope: false', edits: [edit], preferred: true });
    } else if (otherNs.length) {
      hint = ` An AnalysisTemplate ${name} exists in namespace ${otherNs[0]!.namespace}, but a Rollout only sees AnalysisTemplates of its own namespace (or ClusterAnalysisTemplates).`;
    } else {
      hint = ` Add the ${wanted} (apply it before the Rollout) or fix the name.`;
    }
    const target = otherKind[0] ?? otherNs[0];
    report({
      path: [...path, 'templateName'],
      message: `templateName \`${name}\` names no ${wanted}${cluster ? '' : inNamespace(scope)} in the workspace: the analysis cannot run. ${CONSEQUENCE}, and without the gate a bad canary would not be caught.${hint}`,
      related: target
        ? [
            {
              object: target,
              path: ['metadata', 'name'],
              message: `${target.kind} ${target.name}${target.namespaceWritten ? ` in namespace ${target.namespace}` : ''}`,
            },
          ]
        : [],
      fixes,
    });
  }
}

export const rolloutDanglingReference: ManifestRule = {
  id: 'rollout-dangling-reference',
  severity: 'error',
  summary:
    'An Argo Rollout references a Service, VirtualService route, DestinationRule subset, AnalysisTemplate or workload that does not exist or does not match.',
  kinds: ['Rollout'],
  check(object, ctx, report) {
    if (!isArgo(object)) return;
    checkServices(object, ctx.lookup, report);
    checkWorkloadRef(object, ctx.lookup, report);
    checkIstio(object, ctx.lookup, report);
    checkIngresses(object, ctx.lookup, report);
    checkAnalysis(object, ctx, report);
  },
};
