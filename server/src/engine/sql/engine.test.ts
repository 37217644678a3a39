import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { expectRanges, lint } from '../../../../test/helpers/lint';
import { lintText, mergeSettings } from '..';

/** Every finding as "rule range", for assertions over the whole file. */
const summary = (sql: string, settings = {}): string[] => lint(sql, settings).map((f) => `${f.rule} ${f.range}`);

describe('SQL engine', () => {
  describe('syntax errors', () => {
    it('marks the word at the parser cursor and still lints the rest of the file', () => {
      const sql = ["SET lock_timeout = '2s';", 'ALTER TABEL orders ADD COLUMN region text;', 'ALTER TABLE orders DROP COLUMN IF EXISTS legacy;'].join('\n');
      const errors = expectRanges('syntax-error', sql, ['2:7-2:12']);
      assert.equal(errors[0]!.finding.severity, 'error');
      assert.match(errors[0]!.message, /^Syntax error at or near "TABEL"$/);
      expectRanges('ban-drop-column', sql, ['3:20-3:48']);
    });

    it('at end of input marks the last character of the statement', () => {
      const found = expectRanges('syntax-error', 'ALTER TABLE orders ADD COLUMN note text,;\nSELECT 1;', ['1:40-1:41']);
      assert.match(found[0]!.message, /at end of input/);
    });

    it('after multi-byte text, at the right UTF-16 column', () => {
      // The parser's cursor counts code points (not UTF-8 bytes like node locations): é, ☕ and 😀 each differ.
      expectRanges('syntax-error', "UPDATE orders SET note = 'café ☕ 😀' WHRE id = 1;", ['1:38-1:42']);
    });
  });

  describe('empty statements', () => {
    it('ok: `;;`, a lone `;` and `/* c */ ;` are empty statements psql accepts, not syntax errors', () => {
      // As in lemmy's migrations/2019-02-27-170003_create_community/down.sql.
      const sql = 'DROP TABLE site;\n\n;\n\nDROP TABLE community;;\n/* nothing */ ;\n;\nDROP TABLE post;';
      expectRanges('syntax-error', sql, []);
      expectRanges('ban-drop-table', sql, ['1:12-1:16', '5:12-5:21', '8:12-8:16']);
    });
  });

  describe('psql scripts', () => {
    it('skips meta-commands and COPY … FROM stdin data', () => {
      const sql = [
        '\\set ON_ERROR_STOP on',
        "SET lock_timeout = '2s';",
        'SELECT max(id) AS max_id FROM orders \\gset',
        'COPY currencies (code, name) FROM stdin;',
        'USD\tUS Dollar; DROP TABLE currencies;',
        'EUR\tEuro',
        '\\.',
        'ALTER TABLE orders DROP COLUMN IF EXISTS legacy;',
      ].join('\n');
      assert.deepEqual(summary(sql), ['ban-drop-column 8:20-8:48']);
    });

    it('checks statements with psql variables as psql sends them; one whose variable stands for syntax is left alone', () => {
      const sql = [
        "SET lock_timeout = '2s';",
        'SELECT id AS default_tpl FROM templates WHERE is_default LIMIT 1 \\gset',
        'UPDATE campaigns SET template_id = :default_tpl WHERE template_id IS NULL;',
        'ALTER TABLE :"schema".campaigns DROP COLUMN IF EXISTS archived_at;',
        "ALTER TABLE campaigns ADD COLUMN note text DEFAULT ':not_a_variable', DROP COLUMN archived;",
        'CREATE :kind INDEX campaigns_note_idx ON campaigns (note);',
      ].join('\n');
      assert.deepEqual(summary(sql), [
        'unbatched-backfill 3:1-3:17',
        'ban-drop-column 4:33-4:66',
        'prefer-robust-stmts 5:23-5:69',
        'ban-drop-column 5:71-5:91',
        'prefer-robust-stmts 5:71-5:91',
      ]);
    });

    it('checks a psql variable that stands for a name as a name, and names the variable', () => {
      const sql = ["SET lock_timeout = '2s';", 'ALTER TABLE :tbl DROP COLUMN archived_at;', 'ALTER TABLE campaigns DROP COLUMN :col;'].join('\n');
      const found = lint(sql).filter((f) => f.rule === 'ban-drop-column');
      assert.equal(found.length, 2);
      assert.match(found[0]!.message, /:tbl\.archived_at/);
      assert.match(found[1]!.message, /campaigns\.:col/);
    });

    it('checks statements with template and Flyway placeholders as their tool sends them, naming the placeholders', () => {
      const sql = [
        "SET lock_timeout = '2s';",
        'ALTER TABLE {{ index .Options "Namespace" }}.identities ADD COLUMN email text GENERATED ALWAYS AS (lower(identity_data->>\'email\')) STORED;',
        'CREATE INDEX users_email_idx ON ${flyway:defaultSchema}.users (email);',
        '{{ if .Postgres }}ALTER TABLE users DROP COLUMN legacy;{{ end }}',
      ].join('\n');
      const found = lint(sql);
      assert.deepEqual(
        found.map((f) => `${f.rule} ${f.range}`),
        [
          'require-statement-timeout 2:1-2:12',
          'prefer-robust-stmts 2:57-2:138',
          'adding-table-rewriting-column 2:57-2:138',
          'require-concurrent-index-creation 3:1-3:13',
          'prefer-robust-stmts 3:1-3:13',
        ],
      );
      const message = (rule: string): string => found.find((f) => f.rule === rule)?.message ?? '';
      assert.match(message('adding-table-rewriting-column'), /^Adding \{\{ index \.Options "Namespace" \}\}\.identities\.email: /);
      assert.match(message('require-concurrent-index-creation'), /^SHARE on \$\{flyway:defaultSchema\}\.users: /);
      // The same placeholder stands for the same schema in every statement and file: its tables match.
      const dropped = (alterSchema: string): string[] =>
        lint(['CREATE TABLE $' + '{schema}.carts (id bigint PRIMARY KEY, note text);', 'ALTER TABLE ' + alterSchema + '.carts DROP COLUMN note;'].join('\n'))
          .filter((f) => f.rule === 'ban-drop-column')
          .map((f) => f.range);
      assert.deepEqual(dropped('$' + '{schema}'), []);
      assert.deepEqual(dropped('$' + '{other}'), ['2:28-2:44']);
    });

    it("checks synapse's $%AUTO_INCREMENT_PRIMARY_KEY%$ column type as a type name (sliding_sync_connections)", () => {
      const sql = [
        'CREATE TABLE sliding_sync_connections(',
        '    connection_key $%AUTO_INCREMENT_PRIMARY_KEY%$,',
        '    user_id TEXT NOT NULL',
        ');',
        'CREATE INDEX sliding_sync_connections_user_idx ON sliding_sync_connections(user_id);',
        'ALTER TABLE room_stats ADD COLUMN stats_key $%AUTO_INCREMENT_PRIMARY_KEY%$;',
      ].join('\n');
      // No syntax error: the table is new (its index needs no CONCURRENTLY); the live table's ALTER is checked.
      assert.deepEqual(summary(sql), [
        'prefer-robust-stmts 1:1-1:13',
        'prefer-robust-stmts 5:1-5:13',
        'require-lock-timeout 6:1-6:12',
        'prefer-robust-stmts 6:24-6:75',
      ]);
    });

    it('skips COPY data with CRLF line endings', () => {
      const sql =
        "SET lock_timeout = '2s';\r\nCOPY currencies FROM stdin;\r\nUSD\tUS Dollar; DROP TABLE currencies;\r\n\\.\r\nALTER TABLE orders DROP COLUMN IF EXISTS legacy;\r\n";
      assert.deepEqual(summary(sql), ['ban-drop-column 5:20-5:48']);
    });
  });

  describe("migration tools' rollback parts", () => {
    it("a goose or sql-migrate StatementEnd ends the block's statement without a `;` (hatchet v1_0_21)", () => {
      for (const tool of ['goose', 'migrate']) {
        const sql = [
          `-- +${tool} Up`,
          `-- +${tool} StatementBegin`,
          "SET lock_timeout = '2s';",
          'ALTER TABLE "Tenant"',
          'ADD COLUMN "uiVersion" text',
          `-- +${tool} StatementEnd`,
          '',
          `-- +${tool} Down`,
          `-- +${tool} StatementBegin`,
          'ALTER TABLE "Tenant"',
          'DROP COLUMN "uiVersion"',
          `-- +${tool} StatementEnd`,
        ].join('\n');
        // No syntax error from running the Up block into the Down one, and the Down block is not checked.
        assert.deepEqual(summary(sql), [], sql);
        // The marker ends a statement only at the start of a line, as the tools read it.
        const inline = sql.replace(`ADD COLUMN "uiVersion" text\n-- +${tool} StatementEnd`, `ADD COLUMN "uiVersion" text -- +${tool} StatementEnd`);
        assert.match(summary(inline).join(), /syntax-error/);
      }
    });

    it('the Down part of a goose, sql-migrate or dbmate file is not checked; an Up marker after it is', () => {
      const markers: [up: string, down: string][] = [
        ['-- +goose Up', '-- +goose Down'],
        ['-- +migrate Up', '-- +migrate Down'],
        ['-- migrate:up', '-- migrate:down'],
      ];
      for (const [up, down] of markers) {
        const sql = [
          up,
          "SET lock_timeout = '2s';",
          'ALTER TABLE orders ADD COLUMN IF NOT EXISTS note text;',
          '',
          down,
          'ALTER TABLE orders DROP COLUMN IF EXISTS note;',
          'DROP INDEX orders_note_idx;',
        ].join('\n');
        assert.deepEqual(summary(sql), [], sql);
        // Marker case and spacing as the tools accept them; the forward part after a rollback part is checked again
        // (in the transaction these tools open: no prefer-robust-stmts, a failed migration leaves nothing behind).
        const again = `${sql.replace(down, down.toUpperCase())}\n${up}\nALTER TABLE orders DROP COLUMN legacy;`;
        assert.deepEqual(summary(again), ['ban-drop-column 9:20-9:38'], again);
      }
    });
  });

  describe("other engines' files", () => {
    it('a file named for MySQL or MariaDB gets the MySQL rules; one named for another engine is not checked', () => {
      const mysql = 'ALTER TABLE `identities` DROP COLUMN `legacy`;';
      const rules = (fileName: string, text: string): string[] => lintText({ fileName, text, settings: mergeSettings({}) }).map((f) => f.rule);
      for (const name of ['migrations/20200519101057_identities.mysql.up.sql', 'migrations/20200519101057_identities.mariadb.up.sql'])
        assert.deepEqual(rules(name, mysql), ['ban-drop-column'], name);
      const cockroach = 'ALTER TABLE identities ALTER PRIMARY KEY USING COLUMNS (id);\nCOMMIT;';
      for (const name of ['migrations/20200519101057_identities.cockroach.up.sql', 'migrations/20200519101057_identities.sqlite3.up.sql'])
        assert.deepEqual(rules(name, cockroach), [], name);
      assert.ok(rules('migrations/20200519101057_identities.up.sql', cockroach).includes('syntax-error'));
    });
  });

  describe('rollback files', () => {
    it("a file that only undoes a migration (….down.sql, down.sql, Flyway's U…__….sql) is not checked; its up file is", () => {
      const sql = 'ALTER TABLE completed_job RENAME COLUMN duration_ms TO duration;\nDROP TABLE IF EXISTS saved_workflows;';
      const rules = (fileName: string): string[] => lintText({ fileName, text: sql, settings: mergeSettings({}) }).map((f) => f.rule);
      for (const name of ['migrations/1700000004_job_duration_ms.down.sql', 'migrations/1719691538_add_workflows/down.sql', 'sql/U4__rename.sql'])
        assert.deepEqual(rules(name), [], name);
      for (const name of ['migrations/1700000004_job_duration_ms.up.sql', 'migrations/0005_slow_down.sql'])
        assert.deepEqual(rules(name), ['require-lock-timeout', 'renaming-column', 'ban-drop-table'], name);
      // Flyway runs its migration in a transaction: the rename's lock is held through the DROP.
      assert.deepEqual(rules('sql/V4__rename.sql'), ['require-lock-timeout', 'renaming-column', 'statement-after-access-exclusive', 'ban-drop-table']);
    });
  });

  describe('suppression comments', () => {
    it('rollout-guard-ignore silences only the next statement, and only the rules it names', () => {
      const sql = [
        '-- rollout-guard-ignore ban-drop-column, require-lock-timeout -- contract phase: no reader left',
        'ALTER TABLE orders DROP COLUMN legacy_a;',
        'ALTER TABLE orders DROP COLUMN IF EXISTS legacy_b;',
      ].join('\n');
      assert.deepEqual(summary(sql), ['prefer-robust-stmts 2:20-2:40', 'ban-drop-column 3:20-3:50']);
    });

    it('an ignore above a DO block covers the statements in its body', () => {
      const sql =
        "SET lock_timeout = '2s';\n-- rollout-guard-ignore ban-drop-column\nDO $$\nBEGIN\n  ALTER TABLE orders DROP COLUMN IF EXISTS legacy;\nEND\n$$;";
      assert.deepEqual(summary(sql), []);
    });

    it('rollout-guard-ignore-file silences its rules anywhere in the file', () => {
      const sql = [
        'ALTER TABLE orders DROP COLUMN legacy_a;',
        '-- rollout-guard-ignore-file require-lock-timeout prefer-robust-stmts',
        'ALTER TABLE orders DROP COLUMN legacy_b;',
      ].join('\n');
      assert.deepEqual(summary(sql), ['ban-drop-column 1:20-1:40', 'ban-drop-column 3:20-3:40']);
    });

    it('reports unknown rules and ignores that suppress nothing as unused-ignore (info), on the rule id', () => {
      const sql = [
        "SET lock_timeout = '2s';",
        '-- rollout-guard-ignore ban-drop-colum',
        'ALTER TABLE orders DROP COLUMN IF EXISTS legacy;',
        '-- rollout-guard-ignore renaming-column',
        'ALTER TABLE orders ADD COLUMN IF NOT EXISTS region text;',
        '-- rollout-guard-ignore',
        'SELECT 1;',
      ].join('\n');
      const found = expectRanges('unused-ignore', sql, ['2:25-2:39', '4:25-4:40', '6:1-6:24']);
      assert.deepEqual(
        found.map((f) => f.finding.severity),
        ['info', 'info', 'info'],
      );
      assert.match(found[0]!.message, /^Unknown rule `ban-drop-colum`/);
      assert.match(found[1]!.message, /^rollout-guard-ignore renaming-column suppresses nothing/);
      assert.match(found[2]!.message, /names no rule/);
      expectRanges('ban-drop-column', sql, ['3:20-3:48']);
    });
  });

  describe('settings', () => {
    it('overrides severities and turns rules off', () => {
      const sql = '-- rollout-guard-ignore renaming-table\nALTER TABLE orders DROP COLUMN IF EXISTS legacy;';
      const found = lint(sql, { rules: { 'ban-drop-column': 'warning', 'require-lock-timeout': 'off', 'unused-ignore': 'hint' } });
      assert.deepEqual(
        found.map((f) => `${f.rule} ${f.finding.severity}`),
        ['unused-ignore hint', 'ban-drop-column warning'],
      );
      assert.deepEqual(summary(sql, { rules: { 'ban-drop-column': 'off', 'require-lock-timeout': 'off', 'unused-ignore': 'off' } }), []);
    });
  });

  describe('positions', () => {
    it('keeps UTF-16 columns right after non-ASCII text, for parser and token positions', () => {
      const sql = '-- Ünïcödé: café ☕ and 😀 (a surrogate pair)\nALTER TABLE "commandes_😀" ADD COLUMN "prix_€" int, DROP COLUMN IF EXISTS légende;';
      // `int` is placed from the parser's byte offset, the DROP COLUMN action from tokens.
      expectRanges('prefer-bigint-over-int', sql, ['2:48-2:51']);
      expectRanges('ban-drop-column', sql, ['2:53-2:82']);
    });

    it('places statements of a DO block inside its body, after non-ASCII text', () => {
      const sql = "SET lock_timeout = '2s';\nDO $$\nBEGIN\n  RAISE NOTICE 'ünïcödé ☕ 😀'; ALTER TABLE orders DROP COLUMN IF EXISTS legacy;\nEND\n$$;";
      expectRanges('ban-drop-column', sql, ['4:51-4:79']);
    });
  });
});
