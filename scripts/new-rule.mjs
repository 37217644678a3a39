// Scaffolds a lint rule: its file, its ok/err test beside it, its docs page and its entry in the
// list the registry collects, then regenerates the rule tables (scripts/docs.mjs).
// Usage: npm run new-rule -- <id> sql|mysql|manifest|code [--root DIR]
// A MySQL implementation of an existing PostgreSQL rule keeps its id and gets a MySQL section on
// the rule's page. The err case fails until the check is written. --root: another copy of the
// repository (the tests' temporary copies).
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import * as prettier from 'prettier';
import { loadRules, updateDocs } from './docs.mjs';

const SEVERITY = 'warning';
const KEBAB_CASE = /^[a-z0-9]+(-[a-z0-9]+)*$/;

const configuration = (id) => `## Configuration

\`\`\`yaml
# .rollout-guard.yaml
rules:
  ${id}: off # error | warning | info | hint | off
\`\`\`

In VS Code, the setting \`"rolloutGuard.rules": { "${id}": "off" }\` applies on top of the file.`;

const sqlPage = (id, scope) => `# ${id}

Default severity: **${SEVERITY}**${scope}

## Why

What breaks, for whom, and for how long: the lock the statement takes and what waits behind it.

## What it checks

The statements and clauses reported, where the finding sits, and what is left alone.

## Flagged

\`\`\`sql
ALTER TABLE orders ALTER COLUMN note TYPE varchar(100);
\`\`\`

## Safe alternative

\`\`\`sql
SET lock_timeout = '2s';
ALTER TABLE orders ADD COLUMN note_v2 varchar(100);
\`\`\`

${configuration(id)}

## Suppress

\`\`\`sql
-- rollout-guard-ignore ${id} -- reason
<the statement>
\`\`\`

\`-- rollout-guard-ignore-file ${id}\` anywhere in the file silences it for the whole file.
`;

const sqlTest = (helper, helperFile, name, id) => `import { describe, it } from 'node:test';
import { ${helper} } from '../../../../../test/helpers/${helperFile}';

describe('${name}', () => {
  it('ok: what ${id} leaves alone', () => {
    ${helper}('${id}', 'ALTER TABLE orders ADD COLUMN note text;', []);
  });

  it('err: what ${id} flags, on the token at fault', () => {
    ${helper}('${id}', 'ALTER TABLE orders ALTER COLUMN note TYPE varchar(100);', ['1:20-1:55']);
  });
});
`;

/** Each language: where its rules live, their type, and the list the registry reads them from. */
const LANGUAGES = {
  sql: {
    folder: 'server/src/engine/sql/rules',
    list: 'sqlRules',
    rule: (id, name) => `import type { SqlRule } from '../context';

export const ${name}: SqlRule<'AlterTableStmt'> = {
  id: '${id}',
  severity: '${SEVERITY}',
  summary: 'What ${id} finds, in one line: the statement and what it breaks.',
  kinds: ['AlterTableStmt'],
  check(_stmt, _ctx, _report) {
    // report({ start, end, message }) on the token or node at fault (stmt.at(node.location), stmt.nameRange(…),
    // stmt.headRange(…)); the message names the lock, what it blocks, and the safe form.
  },
};
`,
    test: (id) => sqlTest('expectRanges', 'lint', id, id),
    page: (id) => sqlPage(id, ''),
  },
  mysql: {
    folder: 'server/src/engine/mysql/rules',
    list: 'mysqlRules',
    rule: (id, name, existing) => `import type { MysqlRule } from '../context';

export const ${name}: MysqlRule = {
  id: '${id}',
  severity: '${existing?.severity ?? SEVERITY}',
  summary: ${JSON.stringify(existing?.summary ?? `What ${id} finds, in one line: the statement and what it breaks.`)},
  kinds: ['alter-table'],
  check(_stmt, _ctx, _report) {
    // report({ start, end, message }) on the clause at fault; the message names the algorithm and lock, what waits, and the safe form.
  },
};
`,
    test: (id, shared) => sqlTest('expectMysql', 'mysql-lint', shared ? `${id} (MySQL)` : id, id),
    page: (id) => sqlPage(id, ' · MySQL and MariaDB only (`dialect: mysql` or `mariadb`).'),
  },
  manifest: {
    folder: 'server/src/engine/manifests/rules',
    list: 'manifestRules',
    rule: (id, name) => `import type { ManifestRule } from '../rule';

export const ${name}: ManifestRule = {
  id: '${id}',
  severity: '${SEVERITY}',
  summary: 'What ${id} finds, in one line: the field and what it breaks during a rollout.',
  kinds: ['Deployment'],
  check(_object, _ctx, _report) {
    // report({ path: ['spec', …], message }) on the key or value at fault (on: 'key' for a missing or unknown field);
    // cross-file lookups go through ctx.lookup, so an edit of the other file re-checks this one.
  },
};
`,
    test: (id) => `import { describe, it } from 'node:test';
import { expectManifestRanges, yaml } from '../../../../../test/helpers/manifests';

const deployment = (replicas: number): string =>
  yaml('apiVersion: apps/v1', 'kind: Deployment', 'metadata: { name: checkout }', 'spec:', \`  replicas: \${replicas}\`);

describe('${id}', () => {
  it('ok: what ${id} leaves alone', () => {
    expectManifestRanges('${id}', { 'deploy.yaml': deployment(3) }, []);
  });

  it('err: what ${id} flags, on the key or value at fault', () => {
    expectManifestRanges('${id}', { 'deploy.yaml': deployment(1) }, ['deploy.yaml 5:13-5:14']);
  });
});
`,
    page: (id) => `# ${id}

Default severity: **${SEVERITY}**

## Why

What breaks during a rollout, and for whom.

## What it checks

The kinds and fields reported, where the finding sits, and what is left alone.

## Flagged

\`\`\`yaml
apiVersion: apps/v1
kind: Deployment
metadata: { name: checkout }
spec:
  replicas: 1
\`\`\`

## Safe alternative

\`\`\`yaml
apiVersion: apps/v1
kind: Deployment
metadata: { name: checkout }
spec:
  replicas: 3
\`\`\`

${configuration(id)}

## Suppress

\`\`\`yaml
spec:
  # rollout-guard-ignore ${id}
  replicas: 1
\`\`\`

or the annotation \`rollout-guard.io/ignore: "${id}"\` on the object.
`,
  },
  code: {
    folder: 'server/src/engine/code/rules',
    list: 'codeRules',
    rule: (id, name) => `import type { CodeRule } from '../rule';

export const ${name}: CodeRule = {
  id: '${id}',
  severity: '${SEVERITY}',
  summary: 'What ${id} finds, in one line: the code and what it breaks in the workload that runs it.',
  kinds: ['*'],
  check(_fileName, _text, _ctx, _report) {
    // report({ start, end, message }) on the token at fault. The file's environment reads: envReads(scanEnvFile(text), …)
    // (../../js/env-reads); ctx.env.envOf(workload) answers for each workload of ctx.workloads.
  },
};
`,
    test: (id) => `import { describe, it } from 'node:test';
import { expectCodeRanges } from '../../../../../test/helpers/code';

const WORKLOAD = { kind: 'Deployment', name: 'checkout', source: ['src'] };
const deployment = ['apiVersion: apps/v1', 'kind: Deployment', 'metadata: { name: checkout }', 'spec:', '  template:', '    spec:', '      containers:', '        - { name: app, image: shop/checkout:2, env: [{ name: PORT, value: "8080" }] }'].join('\\n');

describe('${id}', () => {
  it('ok: what ${id} leaves alone', () => {
    expectCodeRanges('${id}', { '/repo/k8s/deploy.yaml': deployment, '/repo/src/main.ts': 'const port = process.env.PORT;' }, '/repo/src/main.ts', [WORKLOAD], []);
  });

  it('err: what ${id} flags, on the token at fault', () => {
    expectCodeRanges('${id}', { '/repo/k8s/deploy.yaml': deployment, '/repo/src/main.ts': 'const key = process.env.API_KEY;' }, '/repo/src/main.ts', [WORKLOAD], ['1:25-1:32 warning']);
  });
});
`,
    page: (id) => `# ${id}

Default severity: **${SEVERITY}** · TypeScript and JavaScript in the sources of a workload named under \`workloads:\` in \`.rollout-guard.yaml\`

## Why

What breaks in the workload that runs the code, and for whom.

## What it checks

The code reported, where the finding sits, and what is left alone.

## Flagged

\`\`\`ts
const key = process.env.API_KEY;
\`\`\`

## Safe alternative

\`\`\`ts
const key = process.env.API_KEY ?? '';
\`\`\`

${configuration(id)}
`,
  },
};

const MYSQL_SECTION = `

## MySQL

What the MySQL implementation reports, and where it differs from PostgreSQL's (algorithm, lock, error the running version gets).
`;

const camelCase = (id) => id.replace(/-([a-z0-9])/g, (_, c) => c.toUpperCase());

class UsageError extends Error {}

/** `import { name } from './id';` among the sibling imports (kept sorted), and `name` at the end of the list. */
function register(indexText, list, id, name) {
  const imports = [...indexText.matchAll(/^import \{ \w+ \} from '\.\/([\w-]+)';$/gm)];
  const line = `import { ${name} } from './${id}';\n`;
  const next = imports.find((m) => m[1] > id);
  const last = imports.at(-1);
  const at = next ? next.index : last ? last.index + last[0].length + 1 : 0;
  const withImport = indexText.slice(0, at) + line + indexText.slice(at);
  const declaration = new RegExp(`(export const ${list}: readonly \\w+\\[\\] = \\[)([\\s\\S]*?)(\\];)`);
  if (!declaration.test(withImport)) throw new Error(`no "export const ${list}" list to add ${name} to`);
  return withImport.replace(declaration, (_, head, items, tail) => `${head}${items.trimEnd().replace(/,$/, '')}, ${name}${tail}`);
}

/** Writes the rule; returns the paths written or changed, relative to `root`. */
export async function newRule(root, id, language) {
  if (!KEBAB_CASE.test(id ?? '')) throw new UsageError(`"${id ?? ''}" is not a kebab-case rule id (lower-case words joined by "-", e.g. ban-drop-column).`);
  const lang = LANGUAGES[language];
  if (!lang) throw new UsageError(`the language is sql, mysql, manifest or code, not "${language ?? ''}".`);
  const existing = (await loadRules(root)).find((r) => r.id === id);
  // The one id that may exist: a PostgreSQL rule getting its MySQL implementation.
  const mysqlOfPostgres = language === 'mysql' && existing?.dialects?.join() === 'postgres';
  if (existing && !mysqlOfPostgres) throw new UsageError(`${id} already exists: see docs/rules/${id}.md.`);
  const ruleFile = `${lang.folder}/${id}.ts`;
  if (fs.existsSync(path.join(root, ruleFile))) throw new UsageError(`${ruleFile} already exists.`);

  const name = camelCase(id);
  const indexFile = `${lang.folder}/index.ts`;
  const pageFile = `docs/rules/${id}.md`;
  const page = mysqlOfPostgres ? fs.readFileSync(path.join(root, pageFile), 'utf8').trimEnd() + MYSQL_SECTION : lang.page(id);
  const writes = [
    [ruleFile, lang.rule(id, name, mysqlOfPostgres ? existing : undefined)],
    [`${lang.folder}/${id}.test.ts`, lang.test(id, mysqlOfPostgres)],
    [pageFile, page],
    [indexFile, register(fs.readFileSync(path.join(root, indexFile), 'utf8'), lang.list, id, name)],
  ];
  for (const [file, text] of writes) {
    const filepath = path.join(root, file);
    fs.writeFileSync(filepath, await prettier.format(text, { ...(await prettier.resolveConfig(filepath)), filepath }));
  }
  const docs = await updateDocs(root);
  if (!docs.ok) throw new Error(docs.messages.join('\n'));
  return [...writes.map(([file]) => file), ...docs.messages.map((m) => m.replace(/^updated /, ''))];
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const args = process.argv.slice(2);
  const rootAt = args.indexOf('--root');
  const root = rootAt >= 0 ? path.resolve(args[rootAt + 1]) : path.resolve(import.meta.dirname, '..');
  const [id, language] = rootAt >= 0 ? args.filter((_, i) => i !== rootAt && i !== rootAt + 1) : args;
  try {
    const written = await newRule(root, id, language);
    const [ruleFile, testFile, pageFile] = written;
    console.log(`new-rule: wrote or changed\n${written.map((f) => `  ${f}`).join('\n')}`);
    console.log(
      `Next: write the check and the summary in ${ruleFile}, make ${testFile} ok and err cases real (the err case fails until the check finds it), explain the rule in ${pageFile}, then npm run docs.`,
    );
  } catch (error) {
    console.error(`new-rule: ${error.message}`);
    if (error instanceof UsageError) console.error('Usage: npm run new-rule -- <id> sql|mysql|manifest|code');
    process.exitCode = error instanceof UsageError ? 2 : 1;
  }
}
