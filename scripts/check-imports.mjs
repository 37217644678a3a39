// The layers and the absence of import cycles, proved from the import graph of every TypeScript
// source (value and type-only imports alike, read with the TypeScript parser), not from the
// project's own tests. Part of `npm run lint`; eslint's no-restricted-imports says the same per file.
// Usage: node scripts/check-imports.mjs [--root DIR]
// Exits 1, naming the files, on an import cycle or an import that crosses a layer the wrong way.
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import ts from 'typescript';

const SKIPPED_FOLDERS = new Set(['node_modules', 'out', 'dist', 'scratch', 'test-output']);
const SOURCE = /\.(?:ts|tsx|mts|cts)$/;
const LSP_PACKAGES = /^vscode-language(?:server|client)/;

/** `file` (repo-relative, with /) is `folder` or inside it. */
const under = (file, ...folders) => folders.some((folder) => file === folder || file.startsWith(`${folder}/`));
const isTest = (file) => under(file, 'test') || /\.test\.tsx?$/.test(file);

/**
 * What may not import what. `from` takes the importing file, `to` an imported file (repo-relative)
 * or package name.
 */
export const LAYER_RULES = [
  {
    why: 'only the VS Code client (client/) and its tests import vscode',
    from: (file) => !under(file, 'client', 'test'),
    to: (target) => target === 'vscode',
  },
  {
    why: 'nothing outside the VS Code client (client/) and its tests imports it',
    from: (file) => !under(file, 'client', 'test'),
    to: (target) => under(target, 'client'),
  },
  {
    why: 'only tests import test/ code: what the playground, the bench and the tests share is in simulators/',
    from: (file) => !isTest(file),
    to: (target) => under(target, 'test'),
  },
  {
    why: 'only the bench and the tests import bench/ code',
    from: (file) => !isTest(file) && !under(file, 'bench'),
    to: (target) => under(target, 'bench'),
  },
  {
    why: 'the simulators (simulators/) stand in for servers: no CLI code',
    from: (file) => under(file, 'simulators'),
    to: (target) => under(target, 'cli'),
  },
  {
    why: 'the lint engine (server/src/engine) imports no editor, LSP, CLI, operations or disk access (server/src/workspace)',
    from: (file) => under(file, 'server/src/engine') && !isTest(file),
    to: (target) =>
      target === 'vscode' ||
      LSP_PACKAGES.test(target) ||
      under(target, 'client', 'cli', 'operations', 'server/src/lsp', 'server/src/server.ts', 'server/src/workspace'),
  },
];

function sourceFiles(root) {
  const files = [];
  const walk = (dir) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      if (entry.name.startsWith('.')) continue;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!SKIPPED_FOLDERS.has(entry.name)) walk(full);
      } else if (SOURCE.test(entry.name) && !entry.name.endsWith('.d.ts')) files.push(full);
    }
  };
  walk(root);
  return files.sort();
}

/** Every module specifier of a file: import/export … from, import x = require(…), import(…), require(…), import('…') types. */
function specifiersOf(file) {
  const text = fs.readFileSync(file, 'utf8');
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false);
  const specifiers = [];
  const literal = (node) => (node && ts.isStringLiteralLike(node) ? specifiers.push(node.text) : undefined);
  for (const statement of source.statements) {
    if (ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement)) literal(statement.moduleSpecifier);
    else if (ts.isImportEqualsDeclaration(statement) && ts.isExternalModuleReference(statement.moduleReference)) literal(statement.moduleReference.expression);
  }
  // Calls and import types can be anywhere: walk the whole tree only when the text may hold one.
  if (/\b(?:import|require)\s*\(/.test(text)) {
    const visit = (node) => {
      if (
        ts.isCallExpression(node) &&
        (node.expression.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(node.expression) && node.expression.text === 'require'))
      )
        literal(node.arguments[0]);
      else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) literal(node.argument.literal);
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return specifiers;
}

/** The file a relative specifier names, or undefined (a file that is not TypeScript). */
function resolveRelative(from, specifier) {
  const base = path.resolve(path.dirname(from), specifier);
  const candidates = [base, `${base}.ts`, `${base}.tsx`, path.join(base, 'index.ts'), base.replace(/\.(m|c)?js$/, '.$1ts')];
  return candidates.find((candidate) => SOURCE.test(candidate) && fs.existsSync(candidate) && fs.statSync(candidate).isFile());
}

/** The package of a bare specifier: `vscode-languageserver/node` → `vscode-languageserver`, `@scope/name/x` → `@scope/name`. */
const packageOf = (specifier) =>
  specifier
    .split('/')
    .slice(0, specifier.startsWith('@') ? 2 : 1)
    .join('/');

/** The import graph: for each file (repo-relative), the files and the packages it imports. */
export function importGraph(root) {
  const relative = (file) => path.relative(root, file).split(path.sep).join('/');
  const graph = new Map();
  for (const file of sourceFiles(root)) {
    const files = new Set();
    const packages = new Set();
    for (const specifier of specifiersOf(file)) {
      if (specifier.startsWith('.')) {
        const target = resolveRelative(file, specifier);
        if (target) files.add(relative(target));
      } else if (!specifier.startsWith('node:')) packages.add(packageOf(specifier));
    }
    graph.set(relative(file), { files: [...files], packages: [...packages] });
  }
  return graph;
}

/** Strongly connected components of more than one file (or a file importing itself), each with one cycle through it. */
export function importCycles(graph) {
  let counter = 0;
  const index = new Map();
  const low = new Map();
  const stack = [];
  const onStack = new Set();
  const cycles = [];
  const connect = (file) => {
    index.set(file, counter);
    low.set(file, counter++);
    stack.push(file);
    onStack.add(file);
    for (const next of graph.get(file).files) {
      if (!graph.has(next)) continue;
      if (!index.has(next)) {
        connect(next);
        low.set(file, Math.min(low.get(file), low.get(next)));
      } else if (onStack.has(next)) low.set(file, Math.min(low.get(file), index.get(next)));
    }
    if (low.get(file) !== index.get(file)) return;
    const component = [];
    let member;
    do {
      member = stack.pop();
      onStack.delete(member);
      component.push(member);
    } while (member !== file);
    if (component.length > 1 || graph.get(file).files.includes(file)) cycles.push({ files: component.sort(), path: cycleThrough(graph, component) });
  };
  for (const file of graph.keys()) if (!index.has(file)) connect(file);
  return cycles;
}

/** One shortest cycle inside a component, from its first file back to it. */
function cycleThrough(graph, component) {
  const members = new Set(component);
  const start = component[0];
  const previous = new Map([[start, undefined]]);
  const queue = [start];
  while (queue.length) {
    const file = queue.shift();
    for (const next of graph.get(file).files) {
      if (!members.has(next)) continue;
      if (next === start) {
        const route = [];
        for (let at = file; at !== undefined; at = previous.get(at)) route.unshift(at);
        return [...route, start];
      }
      if (!previous.has(next)) {
        previous.set(next, file);
        queue.push(next);
      }
    }
  }
  return [start];
}

/** Imports that break a layer rule: `file imports target (why)`. */
export function layerViolations(graph) {
  const violations = [];
  for (const [file, { files, packages }] of graph)
    for (const rule of LAYER_RULES) {
      if (!rule.from(file)) continue;
      for (const target of [...files, ...packages]) if (rule.to(target)) violations.push(`${file} imports ${target}: ${rule.why}`);
    }
  return violations;
}

/** Checks `root`; returns the lines to print and whether all is well. */
export function checkImports(root) {
  const started = performance.now();
  const graph = importGraph(root);
  const cycles = importCycles(graph);
  const violations = layerViolations(graph);
  const edges = [...graph.values()].reduce((sum, { files, packages }) => sum + files.length + packages.length, 0);
  const problems = [
    ...cycles.map((cycle) => `import cycle among ${cycle.files.length} files: ${cycle.path.join(' → ')}\n  ${cycle.files.join('\n  ')}`),
    ...violations,
  ];
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  const summary = `imports: ${graph.size} files, ${edges} edges, ${cycles.length} cycles, ${violations.length} layer violations (${seconds} s)`;
  return { ok: problems.length === 0, lines: [...problems, summary] };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const args = process.argv.slice(2);
  const rootAt = args.indexOf('--root');
  const root = rootAt >= 0 ? path.resolve(args[rootAt + 1]) : path.resolve(import.meta.dirname, '..');
  const { ok, lines } = checkImports(root);
  for (const line of lines) (ok ? console.log : console.error)(line);
  process.exitCode = ok ? 0 : 1;
}
