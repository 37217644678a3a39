// Bundles the extension client, the language server, the CLI and the tests with esbuild.
// Usage: node scripts/build.mjs [--watch] [--production] [target…]
// Targets: extension (client, server, webview → dist/), server (dist/), cli (dist/), test (out/test/), bench,
// desktop, playground; none named means all. `--production` (the VSIX) minifies, without maps.
import * as esbuild from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const production = process.argv.includes('--production');
const { version } = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const watch = process.argv.includes('--watch');
const wasm = path.join(root, 'node_modules/libpg-query/wasm/libpg-query.wasm');

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: production ? false : 'linked',
  minify: production,
  logLevel: 'warning',
  external: ['vscode', 'playwright-core'],
  // whatwg-url (under the Kubernetes client) requires Node's deprecated punycode module, which warns
  // on Node 22+: bundle the npm package of the same API instead.
  alias: { punycode: 'punycode/' },
  define: { PACKAGE_VERSION: JSON.stringify(version) },
};

/** Test files: test/**\/*.test.ts and rule tests beside their rules. */
function testEntries() {
  const found = [];
  const walk = (dir) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== 'node_modules' && entry.name !== 'fixtures') walk(full);
      } else if (entry.name.endsWith('.test.ts')) found.push(full);
    }
  };
  walk(path.join(root, 'test'));
  walk(path.join(root, 'server/src'));
  return found;
}

/**
 * Left out of the unit suite, for `npm test` alone: the end-to-end tests need the packaged VSIX
 * (code-server, npm start); the others take several seconds to minutes on a real PostgreSQL or
 * Prometheus, on the CLI run once per scenario, or on the TypeScript compiler (new-rule).
 */
const NOT_UNIT = [
  'test/e2e/',
  'test/playground.test.ts',
  'test/migrations.test.ts',
  'test/migrations-extension.test.ts',
  'test/local-postgres.test.ts',
  'test/trace.test.ts',
  'test/trace-honest.test.ts',
  'test/lsp-trace.test.ts',
  'test/contract-guard.test.ts',
  'test/gates.test.ts',
  'test/gates-fail-closed.test.ts',
  'test/canary.test.ts',
  'test/flags.test.ts',
  'test/flags-switch.test.ts',
  'test/flags-switch-editor.test.ts',
  'test/flag-reads.test.ts',
  'test/new-rule.test.ts',
];

/**
 * The unit suite (out/test/unit.mjs, `npm run test:unit`): one module importing every other test
 * file, so node:test runs them all in one process.
 */
const unitSuite = {
  name: 'unit-suite',
  setup(build) {
    build.onResolve({ filter: /^unit-suite$/ }, () => ({ path: 'unit-suite', namespace: 'unit-suite' }));
    build.onLoad({ filter: /.*/, namespace: 'unit-suite' }, () => {
      const unit = testEntries().filter((file) => !NOT_UNIT.some((left) => path.relative(root, file).split(path.sep).join('/').startsWith(left)));
      return { contents: unit.map((file) => `import ${JSON.stringify(file)};`).join('\n'), resolveDir: root, loader: 'js' };
    });
  },
};

/**
 * The CLI's cluster and database commands (cli/src/operations.ts) and the flag service reader of
 * `check` (cli/src/flag-snapshot.ts) go in bundles of their own, required from dist/cli.js only
 * when one runs: `check` starts without parsing the Kubernetes and PostgreSQL clients. Through
 * require(), not import(): bin/rollout-guard.js compiles dist/cli.js with vm.Script (for its code
 * cache), where Node 20 cannot run a dynamic import.
 */
const APART = { './operations': 'cli-operations', './flag-snapshot': 'cli-flags' };
const bundlesApart = {
  name: 'bundles-apart',
  setup(build) {
    build.onResolve({ filter: /^\.\/(operations|flag-snapshot)$/ }, (args) =>
      path.resolve(args.importer) === path.join(root, 'cli/src/cli.ts') ? { path: APART[args.path], namespace: 'bundles-apart' } : undefined,
    );
    build.onResolve({ filter: /^\.\/cli-[a-z]+\.js$/ }, (args) => (args.namespace === 'bundles-apart' ? { path: args.path, external: true } : undefined));
    build.onLoad({ filter: /.*/, namespace: 'bundles-apart' }, (args) => ({ contents: `module.exports = require('./${args.path}.js');`, loader: 'js' }));
  },
};

/**
 * In the ES-module test build, `import 'vscode'` must still go through require(), where
 * test/helpers/fake-vscode.ts answers it (an external ES import would look for a package).
 */
const vscodeThroughRequire = {
  name: 'vscode-through-require',
  setup(build) {
    build.onResolve({ filter: /^vscode$/ }, (args) =>
      args.namespace === 'vscode-require' ? { path: 'vscode', external: true } : { path: 'vscode', namespace: 'vscode-require' },
    );
    build.onLoad({ filter: /.*/, namespace: 'vscode-require' }, () => ({ contents: "module.exports = require('vscode');", loader: 'js' }));
  },
};

// The language server's bundle: part of the extension, and alone what the unit tests start.
const languageServer = { entryPoints: { server: 'server/src/server.ts' }, outdir: 'dist' };

const targets = {
  extension: [
    { entryPoints: { client: 'client/src/extension.ts' }, outdir: 'dist' },
    languageServer,
    // The gate metrics webview's script: runs in the webview (a browser), draws with uPlot.
    { entryPoints: { metrics: 'client/webview/metrics.ts' }, outdir: 'dist', platform: 'browser', format: 'iife', target: 'es2022' },
  ],
  server: [languageServer],
  cli: [
    {
      entryPoints: { cli: 'cli/src/main.ts', 'cli-operations': 'cli/src/operations.ts', 'cli-flags': 'cli/src/flag-snapshot.ts' },
      outdir: 'dist',
      plugins: [bundlesApart],
      // Every run reads the bundle: without comments and indentation it is 30 % smaller and pure
      // ASCII (read without UTF-8 decoding): one small check 6 ms faster. Names stay; dist/cli.js.map maps lines.
      minifyWhitespace: true,
    },
  ],
  // The tests share one copy of the engine, the parsers, the helpers and the simulators: ES modules split into
  // chunks (87 self-contained bundles were 540 MB). `npm test` runs each test file in its own process.
  test: [
    {
      entryPoints: {
        ...Object.fromEntries(testEntries().map((f) => [path.relative(root, f).replace(/\.ts$/, '').replace(/[\\/]/g, '__'), f])),
        unit: 'unit-suite',
      },
      outdir: 'out/test',
      format: 'esm',
      splitting: true,
      outExtension: { '.js': '.mjs' },
      // Chunks beside the tests: __dirname is out/test in all of them, as the tests expect.
      chunkNames: 'chunk-[hash]',
      plugins: [vscodeThroughRequire, unitSuite],
      // Bundled CommonJS packages call require(), and the sources use __dirname.
      banner: {
        js: [
          "import { createRequire as __createRequire } from 'node:module';",
          "import { fileURLToPath as __fileURLToPath } from 'node:url';",
          'const require = __createRequire(import.meta.url);',
          'const __filename = __fileURLToPath(import.meta.url);',
          "const __dirname = __fileURLToPath(new URL('.', import.meta.url));",
        ].join('\n'),
      },
    },
  ],
  bench: [{ entryPoints: { run: 'bench/run.ts' }, outdir: 'out/bench' }],
  // The desktop extension-host suite and its runner (npm run test:desktop).
  desktop: [{ entryPoints: { suite: 'test/desktop/suite.ts', run: 'test/desktop/run.ts' }, outdir: 'out/desktop' }],
  // The playground's live parts (npm start, and the end-to-end tests' services).
  playground: [{ entryPoints: { rig: 'playground/rig.ts' }, outdir: 'out/playground' }],
};

const named = process.argv.slice(2).filter((a) => !a.startsWith('--'));
for (const name of named) {
  if (!(name in targets)) {
    console.error(`unknown build target ${name}: one of ${Object.keys(targets).join(', ')}`);
    process.exit(2);
  }
}
const chosen = named.length ? named : Object.keys(targets);
const builds = [...new Set(chosen.flatMap((name) => targets[name]))];

// The test output is rebuilt whole: chunk names change with their content, and bundles of
// tests whose sources are gone must not run.
if (chosen.includes('test')) fs.rmSync(path.join(root, 'out/test'), { recursive: true, force: true });
const outdirs = new Set(builds.filter((b) => b.platform !== 'browser').map((b) => b.outdir));
for (const dir of outdirs) {
  fs.mkdirSync(path.join(root, dir), { recursive: true });
  // libpg-query finds its .wasm beside the bundle.
  fs.copyFileSync(wasm, path.join(root, dir, 'libpg-query.wasm'));
}
if (chosen.includes('extension')) fs.copyFileSync(path.join(root, 'node_modules/uplot/dist/uPlot.min.css'), path.join(root, 'dist/uPlot.min.css'));

const contexts = await Promise.all(builds.map((b) => esbuild.context({ ...common, ...b, absWorkingDir: root })));
if (watch) {
  await Promise.all(contexts.map((c) => c.watch()));
  console.log('watching…');
} else {
  await Promise.all(contexts.map((c) => c.rebuild()));
  await Promise.all(contexts.map((c) => c.dispose()));
}
