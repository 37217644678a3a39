import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { repoRoot } from '../simulators/lsp-client';

const manifest = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));

interface Rule {
  begin: string;
  end: string;
  contentName?: string;
  patterns: { include: string }[];
}

describe('SQL-in-TS/JS injection grammar', () => {
  const contribution = manifest.contributes.grammars.find((g: { scopeName: string }) => g.scopeName === 'rollout-guard.sql-in-js.injection');
  const grammar = JSON.parse(fs.readFileSync(path.join(repoRoot, contribution.path), 'utf8'));
  const rule = (name: string): Rule => grammar.repository[name];
  // The patterns use no Oniguruma-only syntax, so JavaScript's RegExp reads them the same way.
  const begin = (name: string): RegExp => new RegExp(rule(name).begin);
  /** Where the literal's SQL content starts in `line`, or undefined when the rule does not open there. */
  const opens = (name: string, line: string): { at: number; quote: string; callee: string } | undefined => {
    const m = begin(name).exec(line);
    return m ? { at: m.index + m[0].length, quote: m[m.length - 1]!, callee: m[1]! } : undefined;
  };

  it('is injected into TypeScript and JavaScript outside comments and strings, and embeds SQL', () => {
    assert.deepEqual(contribution.injectTo, ['source.ts', 'source.js', 'source.tsx', 'source.js.jsx']);
    assert.equal(contribution.embeddedLanguages['meta.embedded.block.sql'], 'sql');
    for (const scope of ['source.ts', 'source.js']) assert.ok(grammar.injectionSelector.includes(`L:${scope} -comment -string`));
    for (const name of ['tagged-template', 'call-template', 'call-string']) {
      assert.equal(rule(name).contentName, 'meta.embedded.block.sql');
      assert.ok(
        rule(name).patterns.some((p) => p.include === 'source.sql'),
        `${name} does not include source.sql`,
      );
    }
  });

  it('opens on sql`…` tags and on template literals passed to query/execute/raw', () => {
    const line = 'await db.query<Order[]>(`ALTER TABLE orders DROP COLUMN legacy`);';
    const open = opens('call-template', line);
    assert.equal(open?.callee, 'query');
    assert.equal(line.slice(open!.at, open!.at + 11), 'ALTER TABLE');
    assert.equal(opens('call-template', 'knex.raw( `UPDATE t SET a = 1`)')?.callee, 'raw');
    assert.equal(opens('tagged-template', 'const q = sql`SELECT 1`;')?.callee, 'sql');
    assert.equal(opens('tagged-template', 'await prisma.$executeRaw`DROP TABLE x`')?.callee, '$executeRaw');
    // a template's SQL ends at the closing backtick; ${…} inside is code again
    assert.equal(new RegExp(rule('call-template').end).exec('DROP COLUMN legacy`);')?.index, 18);
    assert.ok(new RegExp(grammar.repository.substitution.begin).test('WHERE id = ${id}'));
  });

  it('opens on quoted strings only when they start like SQL, and ends at the same quote', () => {
    const line = `conn.execute("UPDATE users SET status = 'x' WHERE id = ?", [id]);`;
    const open = opens('call-string', line);
    assert.equal(open?.quote, '"');
    const end = new RegExp(rule('call-string').end.replace('\\3', open!.quote)).exec(line.slice(open!.at));
    assert.equal(line.slice(open!.at, open!.at + end!.index), "UPDATE users SET status = 'x' WHERE id = ?");
    assert.equal(opens('call-string', "db.query('users')"), undefined);
    assert.equal(opens('call-string', "router.query('select-box')"), undefined);
    // The migration tools' calls: db-migrate, MikroORM, node-pg-migrate (a method only: postgres.js's sql('users') quotes a name).
    for (const call of ["db.runSql('ALTER TABLE a ADD b int', cb)", "this.addSql('CREATE INDEX i ON a (b);')", "pgm.sql('UPDATE a SET b = 1')"])
      assert.ok(opens('call-string', call), call);
    assert.equal(opens('call-string', "sql('DROP TABLE x')"), undefined);
  });

  it('leaves other calls and identifiers that merely end in a SQL name alone', () => {
    assert.equal(opens('call-template', 'console.log(`ALTER TABLE x`)'), undefined);
    assert.equal(opens('call-template', 'myquery(`ALTER TABLE x`)'), undefined);
    assert.equal(opens('tagged-template', 'nosql`SELECT 1`'), undefined);
    assert.equal(opens('tagged-template', 'html`<p>`'), undefined);
  });
});
