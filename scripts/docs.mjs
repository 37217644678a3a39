// Writes the rule tables of README.md and docs/rules/README.md, the destructive rules listed there,
// the CHANGELOG's rule count and each docs page's default severity from the rule registry
// (server/src/engine/registry.ts).
// Usage: node scripts/docs.mjs [--check] [--root DIR]   (npm run docs)
// Generated text sits between `<!-- rules:<name>:start -->` and `<!-- rules:<name>:end -->`;
// the rest of each file is left as written. --check changes nothing and exits 1 when a file
// differs from what would be written (test/docs.test.ts runs it). --root: another copy of the
// repository (the tests' temporary copies).
import * as esbuild from 'esbuild';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import * as prettier from 'prettier';

export const RUN_DOCS = 'run `npm run docs`';

/** The registry, the manifest rule groups and the flag rules, bundled from the TypeScript sources of `root`. */
export async function loadRules(root) {
  const entry = [
    "export { ruleRegistry } from './server/src/engine/registry';",
    "export { manifestRules } from './server/src/engine/manifests/rules';",
    "export { podRules } from './server/src/engine/manifests/rules/_pod-rules';",
    "export { trafficRules } from './server/src/engine/manifests/rules/_traffic-rules';",
    "export { flagRules } from './server/src/engine/flags/rules';",
  ].join('\n');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rollout-guard-docs-'));
  try {
    const outfile = path.join(dir, 'rules.cjs');
    await esbuild.build({
      stdin: { contents: entry, resolveDir: root, loader: 'ts' },
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'cjs',
      outfile,
      logLevel: 'warning',
    });
    const { ruleRegistry, manifestRules, podRules, trafficRules, flagRules } = createRequire(import.meta.url)(outfile);
    const ids = (rules) => new Set(rules.map((r) => r.id));
    const pod = ids(podRules);
    const traffic = ids(trafficRules);
    const manifest = ids(manifestRules);
    const flags = ids(flagRules);
    return [...ruleRegistry.values()].map((rule) => ({ ...rule, group: groupOf(rule, { pod, traffic, manifest, flags }) }));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Which table a rule goes in. Findings of the engine itself are neither SQL nor manifest rules. */
function groupOf(rule, manifest) {
  if (rule.language === 'sql') return rule.dialects.includes('postgres') ? 'postgres' : 'mysql';
  if (manifest.flags.has(rule.id)) return 'flags';
  if (rule.language === 'code') return 'code';
  if (!manifest.manifest.has(rule.id)) return 'engine';
  if (manifest.pod.has(rule.id)) return 'pod';
  if (manifest.traffic.has(rule.id)) return 'traffic';
  return 'manifest';
}

/** What Squawk calls the same check, read from the docs page's first line ("Default severity: … · Squawk …"). */
function squawkName(pageLine) {
  if (!/Squawk/.test(pageLine) || /no equivalent/.test(pageLine)) return '—';
  if (/under the same id/.test(pageLine)) return 'same id';
  const name = /`([^`]+)`/.exec(pageLine)?.[1];
  if (!name) return '—';
  return /accepts this id/.test(pageLine) ? `\`${name}\` (accepts this id)` : `\`${name}\``;
}

const SEVERITY_LINE = /^Default severity: \*\*\w+\*\*.*$/m;
const cell = (text) => text.replace(/\|/g, '\\|');

function table(rules, link, columns) {
  const header = ['Rule', 'Default', 'What it finds', ...columns.map((c) => c.title)];
  const rows = rules.map((r) => [`[${r.id}](${link(r.id)})`, r.severity, cell(r.summary), ...columns.map((c) => c.value(r))]);
  return [header, header.map(() => '---'), ...rows].map((row) => `| ${row.join(' | ')} |`).join('\n');
}

/** The text each generated file should have, by path relative to `root`, or the problems that prevent writing it. */
export async function renderDocs(root, rules) {
  const read = (file) => fs.readFileSync(path.join(root, file), 'utf8');
  const problems = [];
  const pages = new Map();
  for (const rule of rules) {
    const file = `docs/rules/${rule.id}.md`;
    if (!fs.existsSync(path.join(root, file))) problems.push(`${file} is missing: every rule has a docs page (npm run new-rule writes one).`);
    else pages.set(rule.id, read(file));
  }
  const ruleIds = new Set(rules.map((r) => r.id));
  for (const name of fs.readdirSync(path.join(root, 'docs/rules'))) {
    const id = name.replace(/\.md$/, '');
    if (name.endsWith('.md') && name !== 'README.md' && !ruleIds.has(id)) problems.push(`docs/rules/${name} documents no registered rule.`);
  }
  if (problems.length) return { problems, files: new Map() };

  const inGroup = (group) => rules.filter((r) => r.group === group);
  const pageLine = (id) => SEVERITY_LINE.exec(pages.get(id))?.[0] ?? '';
  const here = (id) => `${id}.md`;
  const fromRoot = (id) => `docs/rules/${id}.md`;
  const names = (list) => list.map((r) => `\`${r.id}\``).join(', ');
  const block = (text) => `\n\n${text}\n\n`;
  const mysqlShared = rules.filter((r) => r.dialects?.includes('mysql') && r.dialects.includes('postgres'));
  const postgres = inGroup('postgres');

  const regions = {
    'README.md': {
      sql: block(table([...postgres, ...inGroup('engine').filter((r) => r.language === 'any')], fromRoot, [])),
      manifests: block(
        [
          `- pod templates of every workload kind (Argo Rollouts included): ${names(inGroup('pod'))};`,
          `- traffic: ${names(inGroup('traffic'))};`,
          `- offline schema validation of Kubernetes, Istio and Argo Rollouts kinds, strict like \`kubeconform -strict\`, and other checks: ${names(inGroup('manifest'))}.`,
        ].join('\n'),
      ),
    },
    'docs/rules/README.md': {
      postgres: block(table(postgres, here, [{ title: 'Squawk', value: (r) => squawkName(pageLine(r.id)) }])),
      mysql: block(
        [
          `Shared with PostgreSQL, each page with a MySQL section: ${mysqlShared.map((r) => `[${r.id}](${here(r.id)})`).join(', ')}. MySQL only:`,
          table(inGroup('mysql'), here, []),
        ].join('\n\n'),
      ),
      engine: block(table(inGroup('engine'), here, [])),
      flags: block(table(inGroup('flags'), here, [])),
      pod: block(table(inGroup('pod'), here, [])),
      manifest: block(table(inGroup('manifest'), here, [])),
      traffic: block(table(inGroup('traffic'), here, [])),
      code: block(table(inGroup('code'), here, [])),
      // The rules whose findings are errors before the contract phase (RuleMeta.destructive).
      destructive: names(rules.filter((r) => r.destructive)),
    },
    'CHANGELOG.md': { 'postgres-count': String(postgres.length) },
  };

  const files = new Map();
  for (const [file, contents] of Object.entries(regions)) {
    const before = read(file);
    const seen = new Set();
    const after = before.replace(/(<!-- rules:([a-z-]+):start -->)[\s\S]*?(<!-- rules:\2:end -->)/g, (all, start, name, end) => {
      if (!(name in contents)) {
        problems.push(`${file}: unknown generated region ${name}`);
        return all;
      }
      seen.add(name);
      return `${start}${contents[name]}${end}`;
    });
    for (const name of Object.keys(contents))
      if (!seen.has(name)) problems.push(`${file} has no <!-- rules:${name}:start --> … <!-- rules:${name}:end --> region`);
    files.set(file, await format(root, file, after));
  }
  for (const rule of rules) {
    const file = fromRoot(rule.id);
    const page = pages.get(rule.id);
    if (!SEVERITY_LINE.test(page)) problems.push(`${file} has no "Default severity: **…**" line`);
    else
      files.set(
        file,
        page.replace(SEVERITY_LINE, (line) => line.replace(/\*\*\w+\*\*/, `**${rule.severity}**`)),
      );
  }
  return { problems, files };
}

async function format(root, file, text) {
  const filepath = path.join(root, file);
  return prettier.format(text, { ...(await prettier.resolveConfig(filepath)), filepath });
}

/** Writes the generated text, or with `check` only lists what differs. Returns the messages to print and whether all is well. */
export async function updateDocs(root, { check = false } = {}) {
  const { problems, files } = await renderDocs(root, await loadRules(root));
  if (problems.length) return { ok: false, messages: problems };
  const stale = [...files].filter(([file, text]) => fs.readFileSync(path.join(root, file), 'utf8') !== text);
  if (check) return { ok: stale.length === 0, messages: stale.map(([file]) => `${file} differs from the rule registry: ${RUN_DOCS}.`) };
  for (const [file, text] of stale) fs.writeFileSync(path.join(root, file), text);
  return { ok: true, messages: stale.map(([file]) => `updated ${file}`) };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const args = process.argv.slice(2);
  const rootAt = args.indexOf('--root');
  const root = rootAt >= 0 ? path.resolve(args[rootAt + 1]) : path.resolve(import.meta.dirname, '..');
  const { ok, messages } = await updateDocs(root, { check: args.includes('--check') });
  for (const message of messages) (ok ? console.log : console.error)(message);
  process.exitCode = ok ? 0 : 1;
}
