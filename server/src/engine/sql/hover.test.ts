import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { hoverSql, lintSql, loadParser, mergeSettings, SchemaFacts, type SchemaChange } from '..';

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

const hover = (sql: string): string => hoverSql(sql, 0, mergeSettings({}))?.contents ?? '';

describe('SQL hover: the locks of the statements the peers’ rules flag', () => {
  it('a foreign key names the lock on the referenced table too', () => {
    const text = hover('ALTER TABLE orders ADD CONSTRAINT orders_customer_id_fkey FOREIGN KEY (customer_id) REFERENCES customers (id);');
    assert.match(text, /^\*\*SHARE ROW EXCLUSIVE on orders: blocks writes \(INSERT, UPDATE, DELETE\) while every row is checked\.\*\*/);
    assert.match(
      text,
      /The foreign key also takes SHARE ROW EXCLUSIVE on customers: blocks writes \(INSERT, UPDATE, DELETE\) while every row is checked \(the referenced table\)\./,
    );
  });

  it('REINDEX, DROP TRIGGER, ENABLE ALWAYS TRIGGER and ADD … EXCLUDE name the locks PostgreSQL takes', () => {
    assert.match(hover('REINDEX INDEX orders_note_idx;'), /^\*\*ACCESS EXCLUSIVE on orders_note_idx: blocks reads and writes until the index is rebuilt\.\*\*/);
    assert.match(
      hover('REINDEX TABLE orders;'),
      /^\*\*SHARE on orders: blocks writes[^]*queries on the table wait too, since the planner locks every index of the table\./,
    );
    assert.match(hover('DROP TRIGGER orders_audit ON public.orders;'), /^\*\*ACCESS EXCLUSIVE on public\.orders: blocks reads and writes briefly/);
    assert.match(hover('ALTER TABLE orders ENABLE ALWAYS TRIGGER orders_audit;'), /^\*\*SHARE ROW EXCLUSIVE on orders: blocks writes/);
    assert.match(hover('ALTER TABLE orders ADD CONSTRAINT no_overlap EXCLUDE USING gist (during WITH &&);'), /until the index is built and every row checked/);
  });

  it('ALTER INDEX … RENAME takes SHARE UPDATE EXCLUSIVE from PostgreSQL 12', () => {
    assert.match(hover('ALTER INDEX orders_note_idx RENAME TO orders_remark_idx;'), /^\*\*SHARE UPDATE EXCLUSIVE on orders_note_idx/);
    assert.match(
      hoverSql('ALTER INDEX orders_note_idx RENAME TO orders_remark_idx;', 0, mergeSettings({ pgVersion: 11 }))?.contents ?? '',
      /^\*\*ACCESS EXCLUSIVE/,
    );
  });
});

describe('SQL hover: as the findings, what this file and the earlier migrations of its folder establish', () => {
  const widen = 'ALTER TABLE orders ALTER COLUMN note TYPE varchar(200), ALTER COLUMN region SET NOT NULL;';
  const earlierFacts = (sql: string): SchemaFacts => {
    let changes: readonly SchemaChange[] = [];
    lintSql(sql, mergeSettings(), { onSchemaChanges: (made) => (changes = made) });
    return SchemaFacts.of(changes);
  };

  it('a type change it makes rewrite-free and a SET NOT NULL a validated CHECK proves are brief', () => {
    const earlier = earlierFacts('CREATE TABLE orders (id bigint, note varchar(100), region text CHECK (region IS NOT NULL));');
    const text = hoverSql(widen, 0, mergeSettings(), earlier)?.contents ?? '';
    assert.match(text, /^\*\*ACCESS EXCLUSIVE on orders: blocks reads and writes briefly \(a catalog change\)/);
    assert.match(text, /- ALTER COLUMN TYPE note: ACCESS EXCLUSIVE on orders, briefly/);
    assert.match(text, /- SET NOT NULL region: ACCESS EXCLUSIVE on orders, briefly/);
    const inFile = `ALTER TABLE orders ADD COLUMN note varchar(100);\n${widen}`;
    assert.match(hoverSql(inFile, inFile.indexOf(widen), mergeSettings())?.contents ?? '', /- ALTER COLUMN TYPE note: ACCESS EXCLUSIVE on orders, briefly/);
  });

  it("DROP INDEX: the index's table, where an earlier migration or the file itself created the index", () => {
    const earlier = earlierFacts('CREATE INDEX website_event_url_idx ON website_event (url_path) WHERE url_path IS NOT NULL;');
    assert.match(hoverSql('DROP INDEX website_event_url_idx;', 0, mergeSettings(), earlier)?.contents ?? '', /^\*\*ACCESS EXCLUSIVE on website_event: /);
    assert.match(hoverSql('DROP INDEX other_idx;', 0, mergeSettings(), earlier)?.contents ?? '', /^\*\*ACCESS EXCLUSIVE on the table of other_idx: /);
    const inFile = 'CREATE INDEX CONCURRENTLY orders_lower_email_idx ON orders (lower(email));\nDROP INDEX orders_lower_email_idx;';
    assert.match(hoverSql(inFile, inFile.indexOf('DROP'), mergeSettings())?.contents ?? '', /^\*\*ACCESS EXCLUSIVE on orders: /);
  });

  it('dropping a foreign key: the table it references too, where the file or an earlier migration added it', () => {
    const added = 'ALTER TABLE invoices ADD CONSTRAINT invoices_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id) NOT VALID;';
    const drop = 'ALTER TABLE invoices DROP CONSTRAINT invoices_customer_fk;';
    const inFile = `${added}\n${drop}`;
    assert.match(hoverSql(inFile, inFile.indexOf(drop), mergeSettings())?.contents ?? '', /^\*\*ACCESS EXCLUSIVE on invoices and customers: /);
    assert.match(hoverSql(drop, 0, mergeSettings(), earlierFacts(added))?.contents ?? '', /^\*\*ACCESS EXCLUSIVE on invoices and customers: /);
    // Named as foreign keys are, its table unknown; a CHECK's name says nothing of the kind.
    assert.match(
      hoverSql('ALTER TABLE orders DROP CONSTRAINT orders_customer_id_fkey;', 0, mergeSettings())?.contents ?? '',
      /^\*\*ACCESS EXCLUSIVE on orders and the table orders_customer_id_fkey references: /,
    );
    assert.match(hoverSql('ALTER TABLE orders DROP CONSTRAINT orders_region_check;', 0, mergeSettings())?.contents ?? '', /^\*\*ACCESS EXCLUSIVE on orders: /);
    // A self-referencing key: its one table.
    const self = 'ALTER TABLE teams ADD CONSTRAINT teams_parent_fkey FOREIGN KEY (parent_id) REFERENCES teams (id);';
    assert.match(
      hoverSql('ALTER TABLE teams DROP CONSTRAINT teams_parent_fkey;', 0, mergeSettings(), earlierFacts(self))?.contents ?? '',
      /^\*\*ACCESS EXCLUSIVE on teams: /,
    );
  });

  it('unknown, or a narrowing: the rewrite and the scan', () => {
    const text = hoverSql(widen, 0, mergeSettings(), earlierFacts('CREATE TABLE orders (id bigint, note varchar(300), region text);'))?.contents ?? '';
    assert.match(text, /- ALTER COLUMN TYPE note: ACCESS EXCLUSIVE on orders, until the table is rewritten and its indexes rebuilt/);
    assert.match(text, /- SET NOT NULL region: ACCESS EXCLUSIVE on orders, while every row is scanned/);
  });
});
