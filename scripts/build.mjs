// Bundles the extension client, the language server, the CLI and the tests with esbuild.
// Usage: node scripts/build.mjs [--watch] [--production]
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
  // libpg-query finds its .wasm beside the bundle (copied below).
  external: ['vscode', 'playwright-core'],
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
 * The CLI's cluster and database commands (cli/src/operations.ts) go in a bundle of their own,
 * required from dist/cli.js only when one runs: `check` starts without parsing them.
 */
const operationsApart = {
  name: 'operations-apart',
  setup(build) {
    build.onResolve({ filter: /^\.\/operations$/ }, (args) =>
      path.resolve(args.importer) === path.join(root, 'cli/src/cli.ts') ? { path: './cli-operations.js', external: true } : undefined,
    );
  },
};

const builds = [
  { entryPoints: { client: 'client/src/extension.ts', server: 'server/src/server.ts' }, outdir: 'dist' },
  { entryPoints: { cli: 'cli/src/main.ts', 'cli-operations': 'cli/src/operations.ts' }, outdir: 'dist', plugins: [operationsApart] },
  {
    entryPoints: Object.fromEntries(testEntries().map((f) => [path.relative(root, f).replace(/\.ts$/, '').replace(/[\\/]/g, '__'), f])),
    outdir: 'out/test',
  },
  { entryPoints: { run: 'bench/run.ts' }, outdir: 'out/bench' },
  // The desktop extension-host suite and its runner (npm run test:desktop).
  { entryPoints: { suite: 'test/desktop/suite.ts', run: 'test/desktop/run.ts' }, outdir: 'out/desktop' },
  // The playground's live parts (npm start, and the end-to-end tests' services).
  { entryPoints: { rig: 'playground/rig.ts' }, outdir: 'out/playground' },
  // The gate metrics webview's script: runs in the webview (a browser), draws with uPlot.
  { entryPoints: { metrics: 'client/webview/metrics.ts' }, outdir: 'dist', platform: 'browser', format: 'iife', target: 'es2022' },
];

for (const dir of ['dist', 'out/test', 'out/bench', 'out/playground']) {
  fs.mkdirSync(path.join(root, dir), { recursive: true });
  fs.copyFileSync(wasm, path.join(root, dir, 'libpg-query.wasm'));
}
fs.copyFileSync(path.join(root, 'node_modules/uplot/dist/uPlot.min.css'), path.join(root, 'dist/uPlot.min.css'));
// Bundles of tests whose sources are gone would still run: remove them (only those).
const testBuild = builds[2].entryPoints;
for (const f of fs.readdirSync(path.join(root, 'out/test'))) {
  const name = f.replace(/\.js(\.map)?$/, '');
  if (f.endsWith('.test.js') || f.endsWith('.test.js.map')) if (!(name in testBuild)) fs.rmSync(path.join(root, 'out/test', f), { force: true });
}

const contexts = await Promise.all(builds.map((b) => esbuild.context({ ...common, ...b, absWorkingDir: root })));
if (watch) {
  await Promise.all(contexts.map((c) => c.watch()));
  console.log('watching…');
} else {
  await Promise.all(contexts.map((c) => c.rebuild()));
  await Promise.all(contexts.map((c) => c.dispose()));
}
