import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { temporaryTree } from '../simulators/temp';
import { cli } from './helpers/cli';

/** A migration folder whose last file's findings the earlier files answer. */
const FILES: Record<string, string> = {
  'migrations/001_init.sql': [
    'CREATE TABLE orders (id bigint PRIMARY KEY, note varchar(100), region text, customer_id bigint);',
    'CREATE INDEX orders_customer_id_idx ON orders (customer_id);',
  ].join('\n'),
  'migrations/002_region_check.sql': 'ALTER TABLE orders ADD CONSTRAINT orders_region_nn CHECK (region IS NOT NULL) NOT VALID;\n',
  'migrations/003_validate.sql': 'ALTER TABLE orders VALIDATE CONSTRAINT orders_region_nn;\n',
  // A rollback file runs only to undo 003: what it drops still counts as there.
  'migrations/003_validate.down.sql': 'ALTER TABLE orders DROP CONSTRAINT orders_region_nn;\n',
  'migrations/004_tighten.sql': [
    "SET lock_timeout = '2s';",
    'ALTER TABLE orders ALTER COLUMN region SET NOT NULL;',
    'ALTER TABLE orders ALTER COLUMN note TYPE varchar(200);',
    'ALTER TABLE orders ADD COLUMN IF NOT EXISTS customer_id bigint REFERENCES customers (id);',
  ].join('\n'),
  // Prisma: a folder per migration; the second one drops the index the first made.
  'prisma/migrations/20240101000000_init/migration.sql':
    'CREATE TABLE carts (id bigint PRIMARY KEY, owner_id bigint);\nCREATE INDEX carts_owner_id_idx ON carts (owner_id);\n',
  'prisma/migrations/20240102000000_drop_index/migration.sql': 'DROP INDEX carts_owner_id_idx;\n',
  'prisma/migrations/20240103000000_owner/migration.sql': 'ALTER TABLE carts ADD COLUMN IF NOT EXISTS owner_id bigint REFERENCES owners (id);\n',
  // umami: an index made in one migration, dropped in a later one, whose DROP INDEX does not say the table.
  'umami/01_init/migration.sql': 'CREATE TABLE website_event (event_id uuid PRIMARY KEY, url_path text, created_at timestamptz);\n',
  'umami/02_index/migration.sql': 'CREATE INDEX website_event_url_path_idx ON website_event (url_path) WHERE url_path IS NOT NULL;\n',
  'umami/03_drop/migration.sql': 'DROP INDEX website_event_url_path_idx;\n',
  'umami/04_drop_unknown/migration.sql': 'DROP INDEX unknown_idx;\n',
  // cadence: a folder per schema version, applied in the versions' order.
  'versioned/v0.1/base.sql': 'CREATE TABLE domains (shard_id INTEGER NOT NULL, id BYTEA NOT NULL, name VARCHAR(255) NOT NULL, PRIMARY KEY (shard_id, id));\n',
  'versioned/v0.10/domain_name.sql': "SET lock_timeout = '2s';\nALTER TABLE domains ALTER COLUMN name TYPE TEXT;\n",
  // synapse: a folder per schema version (delta/95, delta/96), PostgreSQL-only deltas in ….sql.postgres.
  'synapse/delta/95/05_thread_subscriptions_check.sql':
    'ALTER TABLE thread_subscriptions ADD CONSTRAINT thread_subscriptions_stream_id_nn CHECK (stream_id IS NOT NULL) NOT VALID;\n',
  'synapse/delta/96/01_validate.sql.postgres':
    "SET lock_timeout = '2s';\nALTER TABLE thread_subscriptions VALIDATE CONSTRAINT thread_subscriptions_stream_id_nn;\nALTER TABLE thread_subscriptions ALTER COLUMN stream_id SET NOT NULL;\n",
  // synapse's own layout: the deltas of its databases (common, main, state) are one chain; the upgrade runs them in one transaction.
  'synapse-repo/synapse/storage/schema/common/delta/25/00background_updates.sql':
    'CREATE TABLE IF NOT EXISTS background_updates (update_name text NOT NULL, progress_json text NOT NULL, CONSTRAINT background_updates_uniqueness UNIQUE (update_name));\n',
  'synapse-repo/synapse/storage/schema/main/delta/71/01remove_noop_background_updates.sql':
    "DELETE FROM background_updates WHERE update_name = 'event_thread_relation';\nCREATE INDEX CONCURRENTLY rooms_creator_idx ON rooms (creator);\n",
  // Unleash: db-migrate migrations in JS; an earlier one made `permission` unique, later ones update one row by it.
  'unleash/migrations/20211202120808-add-permissions.js': [
    'exports.up = function (db, cb) {',
    '  db.runSql(`CREATE TABLE permissions (id serial PRIMARY KEY, permission text, display_name text);`, cb);',
    '};',
  ].join('\n'),
  'unleash/migrations/20231123155649-unique-permission.js': [
    'exports.up = function (db, cb) {',
    "  db.runSql(`SET lock_timeout = '2s'; ALTER TABLE permissions ADD CONSTRAINT permission_unique UNIQUE (permission);`, cb);",
    '};',
  ].join('\n'),
  'unleash/migrations/20240101000000-rename-permission.js': [
    'exports.up = function (db, cb) {',
    "  db.runSql(`UPDATE permissions SET display_name = 'Create Backend tokens' WHERE permission = 'CREATE_CLIENT_API_TOKEN';`, cb);",
    '};',
  ].join('\n'),
};

const WITHDRAWN = ['adding-not-nullable-field', 'changing-column-type', 'fk-missing-index'];

describe('check: the earlier files of a migration folder', () => {
  let tmp: string;
  before(() => {
    tmp = temporaryTree('rg-cli-folder-', FILES);
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  const findingsOf = async (args: string[], file: string): Promise<string[]> => {
    const { stdout } = await cli(['check', ...args, '--format', 'json'], tmp, {});
    const all = (JSON.parse(stdout) as { findings: { file: string; line: number; rule: string }[] }).findings;
    return all.filter((f) => f.file === file && WITHDRAWN.includes(f.rule)).map((f) => `${f.line} ${f.rule}`);
  };

  it('withdraw what they establish: the validated CHECK, the varchar limit, the index', async () => {
    assert.deepEqual(await findingsOf(['migrations'], 'migrations/004_tighten.sql'), []);
    assert.deepEqual(await findingsOf(['migrations', '--cache', '--cache-location', path.join(tmp, 'cache')], 'migrations/004_tighten.sql'), []);
    assert.deepEqual(await findingsOf(['migrations', '--cache', '--cache-location', path.join(tmp, 'cache')], 'migrations/004_tighten.sql'), []);
  });

  it('a file checked without its folder: the earlier migrations are read from disk, and only its findings reported', async () => {
    const { stdout } = await cli(['check', 'migrations/004_tighten.sql', '--format', 'json'], tmp, {});
    const files = (JSON.parse(stdout) as { findings: { file: string }[] }).findings.map((f) => f.file);
    assert.deepEqual([...new Set(files)], ['migrations/004_tighten.sql']);
    assert.deepEqual(await findingsOf(['migrations/004_tighten.sql'], 'migrations/004_tighten.sql'), []);
    // Without the file that validates the CHECK, SET NOT NULL scans the table.
    fs.renameSync(path.join(tmp, 'migrations/003_validate.sql'), path.join(tmp, 'validate.sql.off'));
    try {
      assert.deepEqual(await findingsOf(['migrations/004_tighten.sql'], 'migrations/004_tighten.sql'), ['2 adding-not-nullable-field']);
    } finally {
      fs.renameSync(path.join(tmp, 'validate.sql.off'), path.join(tmp, 'migrations/003_validate.sql'));
    }
  });

  it('migration folders run by folder name; an index dropped in between no longer counts', async () => {
    assert.deepEqual(await findingsOf(['prisma'], 'prisma/migrations/20240103000000_owner/migration.sql'), ['1 fk-missing-index']);
    fs.rmSync(path.join(tmp, 'prisma/migrations/20240102000000_drop_index'), { recursive: true });
    assert.deepEqual(await findingsOf(['prisma'], 'prisma/migrations/20240103000000_owner/migration.sql'), []);
  });

  it("version folders run in the versions' order: v0.1 before v0.10 (cadence's versioned/)", async () => {
    assert.deepEqual(await findingsOf(['versioned'], 'versioned/v0.10/domain_name.sql'), []);
    assert.deepEqual(await findingsOf(['versioned/v0.10/domain_name.sql'], 'versioned/v0.10/domain_name.sql'), []);
    // Without the version that made the column a varchar, the type change may rewrite the table.
    fs.renameSync(path.join(tmp, 'versioned/v0.1'), path.join(tmp, 'versioned/base'));
    try {
      assert.deepEqual(await findingsOf(['versioned/v0.10/domain_name.sql'], 'versioned/v0.10/domain_name.sql'), ['2 changing-column-type']);
    } finally {
      fs.renameSync(path.join(tmp, 'versioned/base'), path.join(tmp, 'versioned/v0.1'));
    }
  });

  it("synapse's numbered version folders run in order, and its ….sql.postgres deltas are checked", async () => {
    const later = 'synapse/delta/96/01_validate.sql.postgres';
    // The CHECK from delta 95, validated before it: SET NOT NULL skips its scan.
    assert.deepEqual(await findingsOf(['synapse'], later), []);
    fs.renameSync(path.join(tmp, 'synapse/delta/95'), path.join(tmp, 'synapse/delta/ninety-five'));
    try {
      // Without the version that added the CHECK, SET NOT NULL scans the table (and the file is checked at all).
      assert.deepEqual(await findingsOf([later], later), ['3 adding-not-nullable-field']);
    } finally {
      fs.renameSync(path.join(tmp, 'synapse/delta/ninety-five'), path.join(tmp, 'synapse/delta/95'));
    }
  });

  it("synapse's schema: the common deltas count for the main ones, and every delta runs in the upgrade's transaction", async () => {
    const later = 'synapse-repo/synapse/storage/schema/main/delta/71/01remove_noop_background_updates.sql';
    const rules = async (args: string[]): Promise<string[]> => {
      const { stdout } = await cli(['check', ...args, '--format', 'json'], tmp, {});
      const all = (JSON.parse(stdout) as { findings: { file: string; line: number; rule: string; message: string }[] }).findings;
      return all
        .filter((f) => f.file === later && f.rule !== 'require-lock-timeout')
        .map((f) => `${f.line} ${f.rule}${f.rule.startsWith('ban-') ? `: ${f.message}` : ''}`);
    };
    const expected = [
      "2 ban-concurrent-index-creation-in-transaction: CREATE INDEX CONCURRENTLY cannot run in a migration that runs in a transaction (synapse runs each migration in a transaction): PostgreSQL refuses it and the migration fails. Run it in a background update (synapse's `register_background_index_update`): synapse applies every schema delta in one transaction.",
    ];
    // UNIQUE (update_name) from common/delta/25: the DELETE picks one row.
    assert.deepEqual(await rules(['synapse-repo']), expected);
    assert.deepEqual(await rules([later]), expected);
    fs.renameSync(path.join(tmp, 'synapse-repo/synapse/storage/schema/common'), path.join(tmp, 'synapse-repo/synapse/storage/schema/shared'));
    try {
      assert.deepEqual(await rules([later]), ['1 unbatched-backfill', ...expected]);
    } finally {
      fs.renameSync(path.join(tmp, 'synapse-repo/synapse/storage/schema/shared'), path.join(tmp, 'synapse-repo/synapse/storage/schema/common'));
    }
  });

  it('TS/JS migrations (db-migrate, Unleash) take part: a key an earlier one made bounds an UPDATE of a later one', async () => {
    const later = 'unleash/migrations/20240101000000-rename-permission.js';
    const backfills = async (args: string[]): Promise<string[]> => {
      const { stdout } = await cli(['check', ...args, '--format', 'json'], tmp, {});
      const all = (JSON.parse(stdout) as { findings: { file: string; line: number; rule: string }[] }).findings;
      return all.filter((f) => f.file === later && f.rule === 'unbatched-backfill').map((f) => `${f.line} ${f.rule}`);
    };
    assert.deepEqual(await backfills(['unleash', '--embedded']), []);
    assert.deepEqual(await backfills([later]), []);
    // Without the migration that made the column unique, the UPDATE can change every row.
    fs.renameSync(path.join(tmp, 'unleash/migrations/20231123155649-unique-permission.js'), path.join(tmp, 'unique.js.off'));
    try {
      assert.deepEqual(await backfills([later]), ['2 unbatched-backfill']);
    } finally {
      fs.renameSync(path.join(tmp, 'unique.js.off'), path.join(tmp, 'unleash/migrations/20231123155649-unique-permission.js'));
    }
  });

  it('names the table of an index that an earlier migration created, where the DROP INDEX does not say it (umami)', async () => {
    for (const target of ['umami', 'umami/03_drop/migration.sql', 'umami/04_drop_unknown/migration.sql']) {
      const { stdout } = await cli(['check', target, '--format', 'json'], tmp, {});
      const messages = (JSON.parse(stdout) as { findings: { file: string; rule: string; message: string }[] }).findings
        .filter((f) => f.rule === 'require-lock-timeout' && /^umami\/0[34]_/.test(f.file))
        .map((f) => `${f.file}: ${f.message}`);
      const known =
        'umami/03_drop/migration.sql: ACCESS EXCLUSIVE on website_event with no lock_timeout set: if a long-running transaction is using website_event,';
      const unknown = 'umami/04_drop_unknown/migration.sql: ACCESS EXCLUSIVE on the table of unknown_idx with no lock_timeout set';
      const expected = target === 'umami' ? [known, unknown] : target.includes('03') ? [known] : [unknown];
      assert.deepEqual(
        messages.map((m) => expected.find((e) => m.startsWith(e)) ?? m),
        expected,
        target,
      );
    }
  });
});
