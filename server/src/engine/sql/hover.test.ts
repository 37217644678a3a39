import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { hoverSql, loadParser, mergeSettings } from '..';

before(() => loadParser());

/** The first line of the hover of the statement at `offset`. */
const lockLine = (sql: string, offset = 0): string | undefined => hoverSql(sql, offset, mergeSettings())?.contents.split('\n')[0];

describe('SQL hover: the locks PostgreSQL takes (as trace measured them)', () => {
  it('COMMENT ON TABLE and COLUMN: SHARE UPDATE EXCLUSIVE on the table', () => {
    assert.match(lockLine("COMMENT ON TABLE public.post IS 'posts';") ?? '', /^\*\*SHARE UPDATE EXCLUSIVE on public\.post: /);
    assert.match(lockLine("COMMENT ON COLUMN post.person_id IS 'author';") ?? '', /^\*\*SHARE UPDATE EXCLUSIVE on post: /);
  });

  it('DROP TRIGGER: ACCESS EXCLUSIVE on its table', () => {
    assert.match(lockLine('DROP TRIGGER post_touch ON post;') ?? '', /^\*\*ACCESS EXCLUSIVE on post: /);
  });

  it('CREATE TABLE with foreign keys: SHARE ROW EXCLUSIVE on the live tables they reference', () => {
    const sql = 'CREATE TABLE person (id int PRIMARY KEY);\nCREATE TABLE comment (id int, person_id int REFERENCES person, post_id int REFERENCES post);';
    assert.match(lockLine(sql, sql.indexOf('CREATE TABLE comment')) ?? '', /^\*\*SHARE ROW EXCLUSIVE on post: /);
    assert.equal(lockLine('CREATE TABLE person (id int PRIMARY KEY);'), undefined);
  });

  it('VALIDATE CONSTRAINT: SHARE UPDATE EXCLUSIVE, and ROW SHARE on the table a foreign key references', () => {
    assert.match(
      lockLine('ALTER TABLE post VALIDATE CONSTRAINT post_person_fk;') ?? '',
      /^\*\*SHARE UPDATE EXCLUSIVE on post: .*ROW SHARE on the table it references/,
    );
  });
});
