// Regenerates server/src/engine/manifests/schemas.json: for each covered apiVersion + kind, the
// fields of every object type with their value types, for the unknown-field and invalid-type rules.
//
// Source: the kubernetes-models packages, installed by this script into .cache/schema-sources (they
// declare Node >= 22, so they are not among the project's dependencies). Their .d.ts files give the structure
// (property names, nested and shared types, arrays, maps, required fields) and are read with the
// TypeScript compiler API. Their ajv-compiled validators (which let unknown fields through but do
// check types) then settle what the .d.ts cannot say: integer or number, int-or-string or any
// number, free-form object or any value. Every leaf type is cross-checked against the validators.
//
// Type expressions in the JSON: string | integer | number | boolean | int-or-string |
// number-or-string | quantity (500m, 1Gi or a number) | object (free-form object) | any,
// `[]T` (list of T), `{}T` (map of T),
// `#Name` (a definition). Definitions: { p: { field: type }, r?: [required fields] }.
// Named definitions are `group.version.Type`; inline CRD types are named by their path, `Kind.spec.x`.
//
// Run: node scripts/gen-k8s-schemas.mjs
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import * as prettier from 'prettier';
import ts from 'typescript';

const root = path.resolve(import.meta.dirname, '..');
const SOURCES = ['kubernetes-models@5.1.0', '@kubernetes-models/istio@3.0.1', '@kubernetes-models/argo-rollouts@2.0.0'];
const sourcesDir = path.join(root, '.cache/schema-sources');
const modules = path.join(sourcesDir, 'node_modules');
if (!SOURCES.every((spec) => fs.existsSync(path.join(modules, spec.slice(0, spec.lastIndexOf('@')), 'package.json')))) {
  console.log(`installing ${SOURCES.join(', ')} into .cache/schema-sources…`);
  fs.mkdirSync(sourcesDir, { recursive: true });
  execFileSync('npm', ['install', '--prefix', sourcesDir, '--no-save', '--no-audit', '--no-fund', '--engine-strict=false', ...SOURCES], { stdio: 'inherit' });
}
const out = path.join(root, 'server/src/engine/manifests/schemas.json');

const K8S = 'kubernetes-models';
const ISTIO = '@kubernetes-models/istio';
const ARGO = '@kubernetes-models/argo-rollouts';

/** apiVersion → [package folder, kinds]. */
const COVERED = {
  v1: [
    `${K8S}/v1`,
    [
      'Pod',
      'Service',
      'ConfigMap',
      'Secret',
      'ServiceAccount',
      'PersistentVolumeClaim',
      'PersistentVolume',
      'Namespace',
      'Endpoints',
      'LimitRange',
      'ResourceQuota',
      'ReplicationController',
      'PodTemplate',
    ],
  ],
  'apps/v1': [`${K8S}/apps/v1`, ['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet']],
  'batch/v1': [`${K8S}/batch/v1`, ['Job', 'CronJob']],
  'autoscaling/v1': [`${K8S}/autoscaling/v1`, ['HorizontalPodAutoscaler']],
  'autoscaling/v2': [`${K8S}/autoscaling/v2`, ['HorizontalPodAutoscaler']],
  'policy/v1': [`${K8S}/policy/v1`, ['PodDisruptionBudget']],
  'networking.k8s.io/v1': [`${K8S}/networking.k8s.io/v1`, ['Ingress', 'IngressClass', 'NetworkPolicy']],
  'rbac.authorization.k8s.io/v1': [`${K8S}/rbac.authorization.k8s.io/v1`, ['Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding']],
  'scheduling.k8s.io/v1': [`${K8S}/scheduling.k8s.io/v1`, ['PriorityClass']],
  'storage.k8s.io/v1': [`${K8S}/storage.k8s.io/v1`, ['StorageClass']],
  'networking.istio.io/v1alpha3': [
    `${ISTIO}/networking.istio.io/v1alpha3`,
    ['VirtualService', 'DestinationRule', 'Gateway', 'ServiceEntry', 'Sidecar', 'WorkloadEntry', 'WorkloadGroup'],
  ],
  'networking.istio.io/v1beta1': [
    `${ISTIO}/networking.istio.io/v1beta1`,
    ['VirtualService', 'DestinationRule', 'Gateway', 'ServiceEntry', 'Sidecar', 'WorkloadEntry', 'WorkloadGroup'],
  ],
  'networking.istio.io/v1': [
    `${ISTIO}/networking.istio.io/v1`,
    ['VirtualService', 'DestinationRule', 'Gateway', 'ServiceEntry', 'Sidecar', 'WorkloadEntry', 'WorkloadGroup'],
  ],
  'security.istio.io/v1beta1': [`${ISTIO}/security.istio.io/v1beta1`, ['AuthorizationPolicy', 'PeerAuthentication', 'RequestAuthentication']],
  'security.istio.io/v1': [`${ISTIO}/security.istio.io/v1`, ['AuthorizationPolicy', 'PeerAuthentication', 'RequestAuthentication']],
  'argoproj.io/v1alpha1': [`${ARGO}/argoproj.io/v1alpha1`, ['Rollout', 'AnalysisTemplate', 'ClusterAnalysisTemplate', 'AnalysisRun', 'Experiment']],
};

const version = (pkg) => JSON.parse(fs.readFileSync(path.join(modules, pkg, 'package.json'), 'utf8')).version;

// ---------------------------------------------------------------------------------------------
// 1. Structure from the .d.ts files.

const roots = [];
for (const [apiVersion, [folder, kinds]] of Object.entries(COVERED)) {
  for (const kind of kinds) roots.push({ apiVersion, kind, dts: path.join(modules, folder, `${kind}.d.ts`), js: path.join(modules, folder, `${kind}.js`) });
}

const program = ts.createProgram(
  roots.map((r) => r.dts),
  { strict: true, noEmit: true, skipLibCheck: true, module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler, types: [] },
);
const checker = program.getTypeChecker();

/** `group.version.Type` for an interface, from the qualified alias its file exports. */
function qualifiedName(declaration) {
  const alias = new RegExp(`\\b${declaration.name.text} as I(\\w+)`).exec(declaration.getSourceFile().text)?.[1];
  if (!alias) return undefined;
  // IoK8sApiCoreV1Container → core.v1.Container; ...RolloutsV1alpha1CanaryStep → rollouts.v1alpha1.CanaryStep.
  const match = /^(\w*?)(V\d+(?:(?:alpha|beta)\d+)?)([A-Z]\w*)$/.exec(alias);
  if (!match) throw new Error(`cannot split ${alias}`);
  const group = match[1].match(/[A-Z][a-z0-9]*$/)[0].toLowerCase();
  return `${group}.${match[2].toLowerCase()}.${match[3]}`;
}

/** The declaration a type reference names (through imports). */
function declarationOf(reference) {
  let symbol = checker.getSymbolAtLocation(reference.typeName);
  if (symbol && symbol.flags & ts.SymbolFlags.Alias) symbol = checker.getAliasedSymbol(symbol);
  const declaration = symbol?.declarations?.[0];
  if (!declaration) throw new Error(`unresolved ${reference.getText()}`);
  return declaration;
}

// The .d.ts are read as syntax, not as checker types: the checker expands the oneOf unions of the
// Istio types (`A & (Exclude<A, …> | B | C)`) into millions of combinations.
const defs = new Map(); // name → { p, r } (p: field → type expression)
const anonymousByShape = new Map(); // canonical JSON → name

const K = ts.SyntaxKind;
const unwrap = (node) => (ts.isParenthesizedTypeNode(node) ? unwrap(node.type) : node);
const refName = (node) => (ts.isTypeReferenceNode(node) ? node.typeName.getText() : undefined);
const isNullish = (node) =>
  node.kind === K.UndefinedKeyword || node.kind === K.NullKeyword || (ts.isLiteralTypeNode(node) && node.literal.kind === K.NullKeyword);

/** string | number | boolean for keyword and literal types, else undefined. */
function primitive(node) {
  if (node.kind === K.StringKeyword || node.kind === K.TemplateLiteralType) return 'string';
  if (node.kind === K.NumberKeyword) return 'number';
  if (node.kind === K.BooleanKeyword) return 'boolean';
  if (ts.isLiteralTypeNode(node)) {
    const literal = node.literal;
    if (ts.isStringLiteral(literal)) return 'string';
    if (ts.isNumericLiteral(literal) || ts.isPrefixUnaryExpression(literal)) return 'number';
    if (literal.kind === K.TrueKeyword || literal.kind === K.FalseKeyword) return 'boolean';
  }
  return undefined;
}

/** Fields of an object type node: type literals, interfaces, and the intersections and unions of oneOf variants. */
function shapeOf(node) {
  node = unwrap(node);
  const shape = { fields: new Map(), index: undefined };
  const add = (name, type, required) => shape.fields.set(name, { types: [type], required });
  if (ts.isTypeLiteralNode(node) || ts.isInterfaceDeclaration(node)) {
    for (const member of node.members) {
      if (ts.isPropertySignature(member) || ts.isPropertyDeclaration(member)) {
        add(member.name.text, member.type, !member.questionToken);
      } else if (ts.isIndexSignatureDeclaration(member)) shape.index = member.type;
    }
    for (const clause of (ts.isInterfaceDeclaration(node) && node.heritageClauses) || []) {
      for (const base of clause.types) {
        const inherited = shapeOf(declarationOf({ typeName: base.expression, getText: () => base.getText() }));
        for (const [name, field] of inherited.fields) if (!shape.fields.has(name)) shape.fields.set(name, field);
      }
    }
    return shape;
  }
  if (ts.isIntersectionTypeNode(node) || ts.isUnionTypeNode(node)) {
    const parts = node.types.filter((t) => !isNullish(unwrap(t))).map(shapeOf);
    const intersection = ts.isIntersectionTypeNode(node);
    for (const name of new Set(parts.flatMap((p) => [...p.fields.keys()]))) {
      const present = parts.map((p) => p.fields.get(name)).filter(Boolean);
      // All of an intersection applies: required by any part. One variant of a union applies: required by all.
      const required = intersection ? present.some((f) => f.required) : present.length === parts.length && present.every((f) => f.required);
      shape.fields.set(name, { types: present.flatMap((f) => f.types), required });
    }
    shape.index = parts.find((p) => p.index)?.index;
    return shape;
  }
  if (refName(node) === 'Exclude') return shapeOf(node.typeArguments[0]);
  if (ts.isTypeReferenceNode(node)) return shapeOf(declarationOf(node));
  throw new Error(`not an object type: ${node.getText().slice(0, 80)}`);
}

/** The type expression of a type node; `where` names inline definitions and errors. */
function typeExpr(node, where) {
  node = unwrap(node);
  if (node.kind === K.AnyKeyword || node.kind === K.UnknownKeyword) return 'any';
  if (node.kind === K.ObjectKeyword) return 'object?'; // the validators settle object or any
  const simple = primitive(node);
  if (simple) return simple === 'number' ? 'number?' : simple; // the validators settle integer or number
  if (ts.isArrayTypeNode(node)) return `[]${typeExpr(node.elementType, where)}`;
  const name = refName(node);
  if (name === 'Array') return `[]${typeExpr(node.typeArguments[0], where)}`;
  if (name === 'Record') return `{}${typeExpr(node.typeArguments[1], `${where}.*`)}`;
  if (name === 'Exclude') return typeExpr(node.typeArguments[0], where);
  if (ts.isUnionTypeNode(node)) {
    const members = node.types.map(unwrap).filter((t) => !isNullish(t));
    if (members.length === 1) return typeExpr(members[0], where);
    const kinds = new Set(members.map(primitive));
    if (kinds.size === 1 && !kinds.has(undefined)) return typeExpr(members[0], where);
    if (kinds.size === 2 && kinds.has('string') && kinds.has('number')) return 'int-or-string?'; // the validators settle it
    if (!kinds.has(undefined) || members.some((m) => primitive(m))) throw new Error(`${where}: mixed union ${node.getText().slice(0, 80)}`);
    return objectExpr(shapeOf(node), where);
  }
  if (ts.isTypeReferenceNode(node)) {
    const declaration = declarationOf(node);
    if (ts.isTypeAliasDeclaration(declaration)) {
      if (declaration.name.text === 'IIntOrString') return 'int-or-string';
      if (declaration.name.text === 'IQuantity') return 'quantity';
      return typeExpr(declaration.type, where);
    }
    if (ts.isInterfaceDeclaration(declaration)) {
      const named = qualifiedName(declaration) ?? where;
      if (defs.has(named)) return `#${named}`;
      defs.set(named, null); // placeholder: recursive types refer to it by name
      const expr = objectExpr(shapeOf(declaration), named, named);
      if (expr !== `#${named}`) defs.delete(named); // an empty interface: free-form
      return expr;
    }
    throw new Error(`${where}: unsupported reference ${node.getText()}`);
  }
  if (ts.isTypeLiteralNode(node) || ts.isIntersectionTypeNode(node)) return objectExpr(shapeOf(node), where);
  throw new Error(`${where}: unsupported type ${node.getText().slice(0, 80)}`);
}

/** A definition for an object shape (named, or shared with every inline type of the same shape). */
function objectExpr(shape, where, named) {
  if (shape.fields.size === 0) return shape.index ? `{}${typeExpr(shape.index, `${where}.*`)}` : 'object?';
  if (shape.index) throw new Error(`${where}: fields and an index signature`);
  const def = { p: {} };
  const required = [];
  // Inline types inside a named one are named after its short name: StatefulSetSpec.volumeClaimTemplates.
  const base = named && /^[a-z]/.test(where) ? where.slice(where.lastIndexOf('.') + 1) : where;
  for (const name of [...shape.fields.keys()].sort()) {
    const { types, required: isRequired } = shape.fields.get(name);
    const exprs = [...new Set(types.map((t) => typeExpr(t, `${base}.${name}`)))];
    if (exprs.length > 1) throw new Error(`${where}.${name}: variants disagree: ${exprs.join(', ')}`);
    def.p[name] = exprs[0];
    if (isRequired) required.push(name);
  }
  if (required.length) def.r = required;
  if (named) {
    defs.set(named, def);
    return `#${named}`;
  }
  // Inline types are named by their path, and shared by the versions of a kind that have the same shape.
  const shapeKey = `${where} ${JSON.stringify(def)}`;
  if (anonymousByShape.has(shapeKey)) return `#${anonymousByShape.get(shapeKey)}`;
  let name = where;
  for (let n = 2; defs.has(name); n++) name = `${where}@${n}`;
  defs.set(name, def);
  anonymousByShape.set(shapeKey, name);
  return `#${name}`;
}

const kinds = {};
for (const r of roots) {
  const file = program.getSourceFile(r.dts);
  if (!file) throw new Error(`missing ${r.dts}`);
  const iface = file.statements.find((s) => ts.isInterfaceDeclaration(s) && s.name.text === `I${r.kind}`);
  if (!iface) throw new Error(`no interface I${r.kind} in ${r.dts}`);
  // Status is written by controllers, not by people: left out (any value).
  const shape = shapeOf(iface);
  if (shape.fields.has('status')) shape.fields.get('status').types = [ts.factory.createKeywordTypeNode(K.AnyKeyword)];
  // Istio kinds have no qualified alias: networking.istio.io.v1.VirtualService. Their inline types are
  // named after the kind without the version (VirtualService.spec.http), so that the versions share them.
  const qualified = qualifiedName(iface);
  const named = qualified ?? `${r.apiVersion.replace('/', '.')}.${r.kind}`;
  defs.set(named, null);
  objectExpr(shape, qualified ?? r.kind, named);
  kinds[`${r.apiVersion}/${r.kind}`] = named;
}

// ---------------------------------------------------------------------------------------------
// 2. Refinement and cross-check against the compiled validators.

/** Object of nested data with `value` at `at` (segments: field, '[]' for a list item, '{}' for a map value). */
function build(at, value) {
  let data = value;
  for (let i = at.length - 1; i >= 0; i--) {
    const segment = at[i];
    data = segment === '[]' ? [data] : segment === '{}' ? { k: data } : { [segment]: data };
  }
  return data;
}
const pointer = (at) => at.map((s) => (s === '[]' ? '/0' : s === '{}' ? '/k' : `/${s}`)).join('');

/** Whether the validator rejects `value` at `at` for its type (not for an enum, pattern, range…). */
function rejects(validate, top, at, value) {
  validate({ ...top, ...build(at, value) });
  const where = pointer(at);
  return (validate.errors ?? []).some((e) => e.instancePath === where && e.keyword === 'type');
}

// Several strings: in a oneOf (Quantity), a string that fails the format fails the type of the other branch.
const SAMPLES = { string: ['x', '1'], integer: [7], fraction: [1.5], boolean: [true], list: [[]], object: [{}] };
/** Which sample kinds the validator accepts at `at`. */
function accepted(validate, top, at) {
  return Object.keys(SAMPLES).filter((s) => SAMPLES[s].some((value) => !rejects(validate, top, at, value)));
}
const EXPECTED = {
  string: ['string'],
  integer: ['integer'],
  number: ['integer', 'fraction'],
  boolean: ['boolean'],
  'int-or-string': ['string', 'integer'],
  'number-or-string': ['string', 'integer', 'fraction'],
  quantity: ['string', 'integer', 'fraction'],
  object: ['object'],
  any: Object.keys(SAMPLES),
};

// Known gaps of the compiled validators, where the .d.ts (and Kubernetes) are right.
const VALIDATOR_GAPS = new Set([
  // The validator generator dropped this field's schema along with the `description` keywords.
  'scheduling.k8s.io/v1/PriorityClass /description',
]);
const mismatches = [];

/** Names of the fields the validator looks up in an object at `at` (a Proxy records them). */
function fieldsRead(validate, top, at) {
  const read = new Set();
  const probe = new Proxy(at.length === 0 ? { ...top } : {}, {
    get(target, key) {
      if (typeof key === 'string') read.add(key);
      return target[key];
    },
  });
  validate(at.length === 0 ? probe : { ...top, ...build(at, probe) });
  return read;
}

let checked = 0;
/** Settles the `?` types and checks every leaf, at every path where a definition is used. */
function refine(validate, top, expr, at, owner, field, stack = []) {
  const set = (next) => {
    if (owner) owner.p[field] = next;
    return next;
  };
  if (expr.startsWith('[]')) return set(`[]${refine(validate, top, expr.slice(2), [...at, '[]'], undefined, undefined, stack)}`);
  if (expr.startsWith('{}')) return set(`{}${refine(validate, top, expr.slice(2), [...at, '{}'], undefined, undefined, stack)}`);
  if (expr.startsWith('#')) {
    const name = expr.slice(1);
    if (stack.includes(name)) return expr; // recursive type: checked at its first level
    const def = defs.get(name);
    // The fields the validator reads at this object must all be known: a field missing here would be
    // reported as unknown.
    const read = fieldsRead(validate, top, at);
    const missing = [...read].filter((key) => !(key in def.p));
    if (missing.length) mismatches.push(`${top.apiVersion}/${top.kind} ${pointer(at)}: the validator knows ${missing.join(', ')}`);
    const unread = Object.keys(def.p).filter((key) => !read.has(key) && !VALIDATOR_GAPS.has(`${top.apiVersion}/${top.kind} ${pointer([...at, key])}`));
    if (unread.length) mismatches.push(`${top.apiVersion}/${top.kind} ${pointer(at)}: the validator does not know ${unread.join(', ')}`);
    for (const [key, value] of Object.entries(def.p)) {
      if (at.length === 0 && (key === 'apiVersion' || key === 'kind' || key === 'status')) continue;
      refine(validate, top, value, [...at, key], def, key, [...stack, name]);
    }
    return expr;
  }
  const got = accepted(validate, top, at);
  const has = (s) => got.includes(s);
  let next = expr;
  if (expr === 'number?' || expr === 'int-or-string?') {
    const stringToo = expr === 'int-or-string?';
    next = has('fraction') ? (stringToo ? 'number-or-string' : 'number') : stringToo ? 'int-or-string' : 'integer';
  } else if (expr === 'object?') {
    next = has('string') ? 'any' : 'object';
  }
  checked++;
  const want = EXPECTED[next];
  const differs = want.length !== got.length || want.some((s) => !got.includes(s));
  if (differs && !VALIDATOR_GAPS.has(`${top.apiVersion}/${top.kind} ${pointer(at)}`)) {
    mismatches.push(`${top.apiVersion}/${top.kind} ${pointer(at)}: ${next} but the validator accepts ${got.join(', ')}`);
  }
  return set(next);
}

for (const r of roots) {
  const source = fs.readFileSync(r.js, 'utf8');
  const schema = /from\s*"((?:\.\.\/)+_schemas\/\w+\.js)"/.exec(source)?.[1];
  if (!schema) throw new Error(`no validator import in ${r.js}`);
  const { validate } = await import(pathToFileURL(path.resolve(path.dirname(r.js), schema)).href);
  refine(validate, { apiVersion: r.apiVersion, kind: r.kind }, `#${kinds[`${r.apiVersion}/${r.kind}`]}`, []);
}

// Only what the kinds reach (status types were dropped above).
const reached = new Set();
const reach = (expr) => {
  const name = expr.replace(/^(\[\]|\{\})+/, '');
  if (!name.startsWith('#') || reached.has(name.slice(1))) return;
  reached.add(name.slice(1));
  Object.values(defs.get(name.slice(1)).p).forEach(reach);
};
Object.values(kinds).forEach((name) => reach(`#${name}`));
const leftover = [...reached].flatMap((name) => Object.values(defs.get(name).p)).filter((e) => e.endsWith('?'));
if (leftover.length) throw new Error(`unsettled free-form types: ${leftover.length}`);

const output = {
  source: `${K8S} ${version(K8S)}, ${ISTIO} ${version(ISTIO)}, ${ARGO} ${version(ARGO)}`,
  kinds,
  defs: Object.fromEntries([...reached].sort().map((name) => [name, defs.get(name)])),
};
// Formatted as `prettier --check` wants it (about 25% larger than one line, and readable in diffs).
fs.writeFileSync(out, await prettier.format(JSON.stringify(output), { ...(await prettier.resolveConfig(out)), filepath: out }));
const size = fs.statSync(out).size;
console.log(`${Object.keys(kinds).length} kinds, ${reached.size} definitions, ${checked} leaf types checked, ${(size / 1024).toFixed(0)} KiB`);
if (mismatches.length) {
  console.log(`${mismatches.length} disagreements with the validators:`);
  for (const m of mismatches.slice(0, 50)) console.log(`  ${m}`);
  process.exitCode = 1;
}
