import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { repoRoot } from '../simulators/lsp-client';
import { temporaryDirectory } from '../simulators/temp';

const run = (script: string, ...args: string[]) =>
  spawnSync(process.execPath, [path.join(repoRoot, 'scripts', script), ...args], { cwd: repoRoot, encoding: 'utf8' });

/** What the scaffold reads and writes, and what its output needs to typecheck, in a temporary directory. */
function copyOfRepository(): string {
  const dir = temporaryDirectory('rollout-guard-new-rule-test-');
  for (const part of ['server/src/engine', 'test/helpers', 'docs/rules', 'README.md', 'CHANGELOG.md', '.prettierrc.json', 'tsconfig.base.json']) {
    fs.cpSync(path.join(repoRoot, part), path.join(dir, part), { recursive: true });
  }
  fs.symlinkSync(path.join(repoRoot, 'node_modules'), path.join(dir, 'node_modules'));
  return dir;
}

/** Every file under `dir` with its contents. */
function snapshot(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const entry of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    const full = path.join(entry.parentPath, entry.name);
    if (entry.isFile() && !full.includes(`${path.sep}node_modules`)) files.set(path.relative(dir, full), fs.readFileSync(full, 'utf8'));
  }
  return files;
}

describe('npm run new-rule', () => {
  it('refuses an id that exists, an id not in kebab-case and an unknown language, and writes nothing', () => {
    const copy = copyOfRepository();
    const before = snapshot(copy);
    const usage = 'Usage: npm run new-rule -- <id> sql|mysql|manifest|code\n';
    const refusals: [string[], string][] = [
      // ban-drop-column has its MySQL implementation already (a PostgreSQL-only id may get one).
      [['ban-drop-column', 'mysql'], 'new-rule: ban-drop-column already exists: see docs/rules/ban-drop-column.md.\n'],
      [['missing-retries', 'manifest'], 'new-rule: missing-retries already exists: see docs/rules/missing-retries.md.\n'],
      [['Ban_Drop', 'sql'], 'new-rule: "Ban_Drop" is not a kebab-case rule id (lower-case words joined by "-", e.g. ban-drop-column).\n'],
      [['ban-everything', 'oracle'], 'new-rule: the language is sql, mysql, manifest or code, not "oracle".\n'],
    ];
    for (const [args, message] of refusals) {
      const result = run('new-rule.mjs', ...args, '--root', copy);
      assert.equal(result.status, 2, args.join(' '));
      assert.equal(result.stderr, message + usage);
    }
    assert.deepEqual(snapshot(copy), before);
  });

  it('writes each language’s rule, test, page and registry entry; the tables list them and the output typechecks', () => {
    const copy = copyOfRepository();
    const read = (file: string): string => fs.readFileSync(path.join(copy, file), 'utf8');
    const created: [id: string, language: string, folder: string][] = [
      ['require-table-comment', 'sql', 'server/src/engine/sql/rules'],
      ['mysql-no-enum', 'mysql', 'server/src/engine/mysql/rules'],
      // A PostgreSQL rule getting its MySQL implementation keeps its id, page and summary.
      ['prefer-jsonb', 'mysql', 'server/src/engine/mysql/rules'],
      ['hpa-min-replicas', 'manifest', 'server/src/engine/manifests/rules'],
      ['unused-env-default', 'code', 'server/src/engine/code/rules'],
    ];
    const jsonbPage = read('docs/rules/prefer-jsonb.md');
    for (const [id, language, folder] of created) {
      const result = run('new-rule.mjs', id, language, '--root', copy);
      assert.equal(result.status, 0, result.stderr);
      assert.ok(
        result.stdout.startsWith(`new-rule: wrote or changed\n  ${folder}/${id}.ts\n  ${folder}/${id}.test.ts\n  docs/rules/${id}.md\n`),
        result.stdout,
      );
    }

    assert.match(
      read('server/src/engine/sql/rules/require-table-comment.ts'),
      /^export const requireTableComment: SqlRule<'AlterTableStmt'> = \{\n {2}id: 'require-table-comment',/m,
    );
    assert.match(
      read('server/src/engine/sql/rules/index.ts'),
      /import \{ requireTableComment \} from '\.\/require-table-comment';\n[\s\S]* {2}requireTableComment,\n\];/,
    );
    assert.match(read('server/src/engine/mysql/rules/index.ts'), /\n {2}mysqlNoEnum,\n {2}preferJsonb,\n\];/);
    assert.match(
      read('server/src/engine/manifests/rules/index.ts'),
      /import \{ hpaMinReplicas \} from '\.\/hpa-min-replicas';\n[\s\S]*[ [] *hpaMinReplicas,?\n?\];/,
    );
    assert.match(
      read('server/src/engine/code/rules/index.ts'),
      /import \{ unusedEnvDefault \} from '\.\/unused-env-default';\n[\s\S]*missingEnv, unusedEnvDefault\];/,
    );
    assert.match(read('server/src/engine/mysql/rules/prefer-jsonb.ts'), /summary:\s+'json is stored as text/);
    assert.match(read('server/src/engine/mysql/rules/prefer-jsonb.test.ts'), /describe\('prefer-jsonb \(MySQL\)'/);
    for (const [id, , folder] of created) {
      assert.match(read(`${folder}/${id}.test.ts`), /it\('ok: [\s\S]*it\('err: /);
      assert.match(read(`docs/rules/${id}.md`), new RegExp(`^# ${id}\n\nDefault severity: \\*\\*`));
    }
    assert.ok(read('docs/rules/prefer-jsonb.md').startsWith(jsonbPage.trimEnd() + '\n\n## MySQL\n'));
    assert.match(read('docs/rules/README.md'), /\| \[require-table-comment\]\(require-table-comment\.md\) +\| warning +\| What require-table-comment finds/);
    assert.match(read('docs/rules/README.md'), /\[unbatched-backfill\]\(unbatched-backfill\.md\), \[prefer-jsonb\]\(prefer-jsonb\.md\)\. MySQL only:/);
    assert.match(read('README.md'), /`invalid-type`, [^\n]*`hpa-min-replicas`\./);
    // One PostgreSQL rule more than the repository has.
    const count = (text: string): number => Number(/<!-- rules:postgres-count:start -->(\d+)</.exec(text)?.[1]);
    assert.equal(count(read('CHANGELOG.md')), count(fs.readFileSync(path.join(repoRoot, 'CHANGELOG.md'), 'utf8')) + 1);
    const docs = run('docs.mjs', '--check', '--root', copy);
    assert.equal(docs.status, 0, docs.stderr);

    // Templates follow the current rule interfaces: the rules, their tests and the registry typecheck.
    fs.writeFileSync(
      path.join(copy, 'tsconfig.json'),
      JSON.stringify({
        extends: './tsconfig.base.json',
        compilerOptions: { noEmit: true, composite: false, declaration: false, emitDeclarationOnly: false },
        files: ['server/src/engine/registry.ts', ...created.map(([id, , folder]) => `${folder}/${id}.test.ts`)],
      }),
    );
    const tsc = spawnSync(process.execPath, [path.join(repoRoot, 'node_modules/typescript/bin/tsc'), '-p', copy], { encoding: 'utf8' });
    assert.equal(tsc.status, 0, tsc.stdout);
  });
});
