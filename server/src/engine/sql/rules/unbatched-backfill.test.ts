import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { expectRanges, expectRangesAfter } from '../../../../../test/helpers/lint';

describe('unbatched-backfill', () => {
  it('ok: batches by key range, list, LIMITed subquery or CTE, and declared backfills', () => {
    const sql = [
      "UPDATE orders SET status = 'pending' WHERE id BETWEEN 1 AND 10000;",
      "UPDATE orders SET status = 'pending' WHERE id >= 10000 AND id < 20000 AND status IS NULL;",
      "UPDATE orders SET status = 'pending' WHERE id >= $1 AND id < $1 + 10000;",
      "UPDATE orders SET status = 'pending' WHERE id IN (SELECT id FROM orders WHERE status IS NULL LIMIT 1000);",
      "UPDATE orders SET status = 'pending' WHERE ctid = ANY (ARRAY(SELECT ctid FROM orders WHERE status IS NULL LIMIT 1000));",
      'WITH batch AS (',
      '  SELECT id FROM orders WHERE status IS NULL ORDER BY id LIMIT 1000',
      ')',
      "UPDATE orders o SET status = 'pending' FROM batch WHERE o.id = batch.id;",
      "DELETE FROM public.events e USING (SELECT id FROM public.events WHERE created_at < now() - interval '90 days' LIMIT 5000) old WHERE e.id = old.id;",
      'DELETE FROM sessions WHERE id IN (1, 2, 3);',
      "UPDATE feature_flags SET enabled = true WHERE name = 'new_checkout';",
      'UPDATE orders SET region_code = $2 WHERE customer_id = $1;',
      'DELETE FROM role_permissions WHERE role_id = 3 AND permission_id = 7;',
      "UPDATE eventstore.events SET created_at = now() WHERE instance_id = 'inst-1' AND aggregate_id = 'u-1' AND sequence = 1;",
      '-- rollout-guard: backfill table=orders key=id batch=1000',
      "UPDATE orders SET status = 'pending' WHERE status IS NULL;",
      'CREATE TABLE order_totals (order_id bigint PRIMARY KEY, total_cents bigint);',
      'UPDATE order_totals SET total_cents = 0;',
    ].join('\n');
    expectRanges('unbatched-backfill', sql, []);
  });

  it('ok: system catalogs (lemmy add_report_count), and keys joined to few rows: one row, or rows a key equality picks', () => {
    const sql = [
      "UPDATE pg_index SET indisready = FALSE WHERE indrelid = (SELECT oid FROM pg_class WHERE relname = 'post_aggregates');",
      "UPDATE pg_catalog.pg_class SET relhastriggers = true WHERE relname = 'post';",
      'UPDATE person p SET post_count = c.n FROM (SELECT count(*) AS n FROM post) c WHERE p.id = c.n;',
      'WITH admin AS (SELECT id FROM person WHERE admin ORDER BY id LIMIT 1) UPDATE local_site SET system_account = admin.id FROM admin WHERE local_site.id = admin.id;',
      'UPDATE person p SET matrix_user_id = lu.matrix_user_id FROM local_user lu WHERE p.id = lu.person_id AND lu.id = 5;',
    ].join('\n');
    expectRanges('unbatched-backfill', sql, []);
  });

  it('err: a key equal to a column of a joined table that can hold every row (lemmy add_notification_creator_id)', () => {
    const sql = [
      'UPDATE notification n SET creator_id = p.creator_id FROM post p WHERE n.post_id = p.id;',
      'UPDATE person p SET matrix_user_id = lu.matrix_user_id FROM local_user lu WHERE p.id = lu.person_id;',
      "UPDATE person p SET matrix_user_id = lu.matrix_user_id FROM local_user lu WHERE p.id = lu.person_id AND lu.theme = 'dark';",
    ].join('\n');
    expectRanges('unbatched-backfill', sql, ['1:1-1:20', '2:1-2:14', '3:1-3:14']);
  });

  it('err: a LIMITed or one-row source that the statement does not join on a key of its table bounds nothing', () => {
    const sql = [
      'UPDATE campaigns c SET template_id = t.id FROM (SELECT id FROM templates WHERE is_default LIMIT 1) t WHERE c.template_id IS NULL;',
      'WITH batch AS (SELECT id FROM orders WHERE status IS NULL LIMIT 1000) UPDATE orders o SET status = $$pending$$ FROM batch WHERE o.status IS NULL;',
      'DELETE FROM events e USING (SELECT id FROM events LIMIT 5000) old WHERE e.kind = old.id::text;',
    ].join('\n');
    expectRanges('unbatched-backfill', sql, ['1:1-1:17', '2:71-2:84', '3:1-3:19']);
  });

  it('err: an UPDATE or DELETE in a WITH clause changes its rows like a statement of its own (moving rows to an archive)', () => {
    const sql = [
      'WITH moved AS (DELETE FROM events WHERE created_at < now() - interval $$90 days$$ RETURNING id)',
      'INSERT INTO events_archive (id) SELECT id FROM moved;',
      "WITH touched AS (UPDATE orders SET status = 'pending' WHERE status IS NULL RETURNING id) SELECT count(*) FROM touched;",
      'WITH gone AS (DELETE FROM sessions RETURNING user_id) UPDATE users SET online = false WHERE id IN (SELECT user_id FROM gone);',
    ].join('\n');
    const found = expectRanges('unbatched-backfill', sql, ['1:16-1:34', '3:18-3:31', '4:15-4:35', '4:55-4:67']);
    assert.match(found[0]!.message, /^DELETE of every row of events that the WHERE matches/);
  });

  it('ok: an UPDATE or DELETE in a WITH clause bounded by a key range, or on a table the file created', () => {
    const sql = [
      'CREATE TABLE staging (id bigint PRIMARY KEY);',
      'WITH moved AS (DELETE FROM staging RETURNING *) INSERT INTO events_archive SELECT * FROM moved;',
      'WITH moved AS (DELETE FROM events WHERE id >= $1 AND id < $2 RETURNING *) INSERT INTO events_archive SELECT * FROM moved;',
      'WITH recent AS (SELECT id FROM events ORDER BY id DESC LIMIT 10) SELECT * FROM recent;',
    ].join('\n');
    expectRanges('unbatched-backfill', sql, []);
  });

  it('ok: a batched loop in a DO block, bounded by PL/pgSQL variables', () => {
    const sql = [
      'DO $$',
      'DECLARE',
      '  lo bigint := 0;',
      'BEGIN',
      '  WHILE lo < 1000000 LOOP',
      "    UPDATE orders SET status = 'pending' WHERE id >= lo AND id < lo + 1000;",
      '    lo := lo + 1000;',
      '    COMMIT;',
      '  END LOOP;',
      'END',
      '$$;',
    ].join('\n');
    expectRanges('unbatched-backfill', sql, []);
  });

  it('ok: a loop over a record in a DO block, one row per UPDATE or DELETE keyed by a field of the record', () => {
    const sql = [
      'DO $$',
      'DECLARE',
      '  img RECORD;',
      'BEGIN',
      '  FOR img IN SELECT id, digest FROM images WHERE size = 0 LOOP',
      '    UPDATE images SET size = (SELECT sum(size) FROM layers WHERE layers.image_digest = img.digest) WHERE id = img.id;',
      '    DELETE FROM image_cache c WHERE c.image_id = img.id;',
      '  END LOOP;',
      'END',
      '$$;',
    ].join('\n');
    expectRanges('unbatched-backfill', sql, []);
  });

  it('err: in a DO block, a key equal to a column of a table the statement joins is no bound', () => {
    const sql = 'DO $$\nBEGIN\n  UPDATE images i SET size = l.size FROM layers l WHERE i.id = l.image_id;\nEND\n$$;';
    expectRanges('unbatched-backfill', sql, ['3:3-3:16']);
  });

  it('err: no WHERE, and a WHERE on a non-key condition that can match every row', () => {
    const sql = "UPDATE orders SET status = 'pending';\nUPDATE public.orders\n  SET status = 'pending'\n  WHERE status IS NULL;";
    const found = expectRanges('unbatched-backfill', sql, ['1:1-1:14', '2:1-2:21']);
    assert.match(found[0]!.message, /^UPDATE of every row of orders in one statement/);
    assert.match(found[1]!.message, /^UPDATE of every row of public\.orders that the WHERE matches/);
    assert.match(found[1]!.message, /-- rollout-guard: backfill table=public\.orders key=id batch=1000/);
  });

  it("err: a key-like column equal to an empty string picks every row left blank (harbor's email cleanup)", () => {
    const sql = [
      "UPDATE users SET email = NULL WHERE email = '';",
      "UPDATE users SET email = NULL WHERE email = ''::text;",
      "UPDATE users SET email = NULL WHERE email = 'a@b.c';",
    ].join('\n');
    expectRanges('unbatched-backfill', sql, ['1:1-1:13', '2:1-2:13']);
  });

  it('err: one-sided, OR-ed and negated bounds, a CTE without LIMIT, and equality on a category column', () => {
    const sql = [
      "DELETE FROM public.events WHERE created_at < now() - interval '90 days';",
      "UPDATE orders SET status = 'pending' WHERE id >= 1000 OR id < 2000;",
      "UPDATE orders SET status = 'pending' WHERE NOT (id BETWEEN 1 AND 1000);",
      "WITH todo AS (SELECT id FROM orders WHERE status IS NULL) UPDATE orders o SET status = 'pending' FROM todo WHERE o.id = todo.id;",
      "UPDATE orders SET status = 'pending' WHERE id >= other_id AND id < other_id + 1000;",
      "UPDATE orders SET archived = true WHERE status = 'done';",
      "DELETE FROM orders WHERE country IN ('XX', 'YY');",
    ].join('\n');
    const found = expectRanges('unbatched-backfill', sql, ['1:1-1:26', '2:1-2:14', '3:1-3:14', '4:59-4:72', '5:1-5:14', '6:1-6:14', '7:1-7:19']);
    assert.match(found[0]!.message, /^DELETE of every row of public\.events that the WHERE matches/);
  });

  it("err: a parent key equal to literals picks all the parent's rows (ente: product_id = 'free'; windmill: workspace_id = 'admins')", () => {
    const sql = [
      "UPDATE subscriptions SET storage = 5368709120 WHERE storage = 1073741824 AND product_id = 'free';",
      "DELETE FROM script WHERE workspace_id IN ('starter', 'demo') AND path LIKE 'u/%';",
      "UPDATE orders SET region_code = 'eu' WHERE customer_id = 42;",
      "UPDATE post SET ap_id = generate_unique_changeme() WHERE ap_id = 'http://fake.com';",
    ].join('\n');
    expectRanges('unbatched-backfill', sql, ['1:1-1:21', '2:1-2:19', '3:1-3:14', '4:1-4:12']);
  });

  it("ok: a parent key that is the table's key (a unique index on it alone, in this file or an earlier migration) picks one row", () => {
    const update = "UPDATE workspace_settings SET plan = 'team' WHERE workspace_id = 'demo';";
    expectRanges('unbatched-backfill', `CREATE UNIQUE INDEX CONCURRENTLY workspace_settings_key ON workspace_settings (workspace_id);\n${update}`, []);
    // windmill-style: the table and its key in an earlier migration, the fix-up in a later one.
    const earlier = ['CREATE TABLE workspace_settings (workspace_id varchar(50) PRIMARY KEY, plan text);'];
    expectRangesAfter('unbatched-backfill', earlier, update, []);
    expectRangesAfter('unbatched-backfill', ['CREATE TABLE workspace_settings (workspace_id text, plan text, UNIQUE (workspace_id));'], update, []);
    expectRangesAfter('unbatched-backfill', earlier, "UPDATE workspace_settings AS s SET plan = 'team' WHERE s.workspace_id = 'demo';", []);
  });

  it("ok: any column equal to constants that is the table's key picks one row (synapse: background_updates' UNIQUE (update_name))", () => {
    const earlier = [
      'CREATE TABLE IF NOT EXISTS background_updates(',
      '    update_name TEXT NOT NULL,',
      '    progress_json TEXT NOT NULL,',
      '    CONSTRAINT background_updates_uniqueness UNIQUE (update_name)',
      ');',
    ];
    const fixUps = [
      "DELETE FROM background_updates WHERE update_name = 'populate_stats_process_rooms';",
      "UPDATE background_updates SET update_name = 'populate_stats_process_rooms' WHERE update_name = 'populate_stats_process_rooms_2';",
      "DELETE FROM background_updates WHERE update_name IN ('populate_stats_createtables', 'populate_stats_process_users');",
    ].join('\n');
    expectRangesAfter('unbatched-backfill', [earlier.join('\n')], fixUps, []);
    expectRanges(
      'unbatched-backfill',
      `CREATE UNIQUE INDEX CONCURRENTLY stream_positions_name ON stream_positions (stream_name);\n${fixUps.replaceAll('background_updates', 'stream_positions').replaceAll('update_name', 'stream_name')}`,
      [],
    );
  });

  it("err: a column equal to constants that is not the table's key alone (synapse: push_rules' UNIQUE (user_name, rule_id))", () => {
    const earlier = ['CREATE TABLE push_rules (id BIGINT PRIMARY KEY, user_name TEXT NOT NULL, rule_id TEXT NOT NULL, UNIQUE (user_name, rule_id));'];
    const fixUps = [
      "DELETE FROM push_rules WHERE rule_id = 'global/override/.m.rule.contains_display_name';",
      "UPDATE push_rules SET rule_id = 'global/override/.m.rule.x' WHERE rule_id = 'global/underride/.m.rule.x';",
      "DELETE FROM push_rules WHERE rule_id IN ('a', 'b');",
    ].join('\n');
    expectRangesAfter('unbatched-backfill', earlier, fixUps, ['1:1-1:23', '2:1-2:18', '3:1-3:23']);
  });

  it("err: a parent key that is not the table's key: no unique index on it alone, the key dropped, or another table's column", () => {
    const update = "UPDATE workspace_settings SET plan = 'team' WHERE workspace_id = 'demo';";
    const table = 'CREATE TABLE workspace_settings (id bigint PRIMARY KEY, workspace_id text, plan text);';
    expectRangesAfter('unbatched-backfill', [table, 'CREATE INDEX ON workspace_settings (workspace_id);'], update, ['1:1-1:26']);
    expectRangesAfter('unbatched-backfill', [table, 'CREATE UNIQUE INDEX ws_plan ON workspace_settings (workspace_id, plan);'], update, ['1:1-1:26']);
    const keyed = 'CREATE TABLE workspace_settings (workspace_id text CONSTRAINT ws_pkey PRIMARY KEY, plan text);';
    expectRangesAfter('unbatched-backfill', [keyed, 'ALTER TABLE workspace_settings DROP CONSTRAINT ws_pkey;'], update, ['1:1-1:26']);
    const joined = "UPDATE workspace_settings s SET plan = 'team' FROM workspaces w WHERE w.workspace_id = 'demo' AND s.plan IS NULL;";
    expectRangesAfter('unbatched-backfill', [keyed], joined, ['1:1-1:26']);
  });

  it('err: the backfill comment must name the statement right below it', () => {
    const sql =
      "-- rollout-guard: backfill table=orders key=id batch=1000\nUPDATE orders SET status = 'pending' WHERE id = 1;\n\nUPDATE orders SET status = 'pending';";
    expectRanges('unbatched-backfill', sql, ['4:1-4:14']);
  });

  it('err: an unbounded UPDATE in a DO block, at its place in the body', () => {
    const sql = "DO $$\nBEGIN\n  UPDATE orders SET status = 'pending' WHERE status IS NULL;\nEND\n$$;";
    expectRanges('unbatched-backfill', sql, ['3:3-3:16']);
  });
});

describe('unbatched-backfill: INSERT … SELECT … ON CONFLICT DO UPDATE', () => {
  it("err: an upsert from a query over a live table updates every row it collides with (ente's recomputed usage)", () => {
    const sql = [
      'INSERT INTO usage (user_id, storage_consumed)',
      '    SELECT owner_id, SUM(size) FROM files GROUP BY owner_id',
      '    ON CONFLICT (user_id) DO UPDATE SET storage_consumed = EXCLUDED.storage_consumed;',
      "INSERT INTO public.usage SELECT owner_id, 0 FROM files WHERE created_at > '2024-01-01' ON CONFLICT (user_id) DO UPDATE SET storage_consumed = 0;",
      // A window function keeps every row.
      'INSERT INTO totals (id, n) SELECT owner_id, count(*) OVER () FROM files ON CONFLICT (id) DO UPDATE SET n = EXCLUDED.n;',
    ].join('\n');
    const found = expectRanges('unbatched-backfill', sql, ['1:1-1:18', '4:1-4:25', '5:1-5:19']);
    assert.match(found[0]!.message, /^INSERT … ON CONFLICT DO UPDATE from a query updates every row of usage that the query's rows collide with/);
  });

  it('ok: a few rows (VALUES, LIMIT, one aggregate row, a key-bounded query), DO NOTHING, plain INSERT … SELECT, a new table', () => {
    const sql = [
      "INSERT INTO settings (key, value) VALUES ('a', '1'), ('b', '2') ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value;",
      'INSERT INTO usage SELECT owner_id, SUM(size) FROM files GROUP BY owner_id ORDER BY owner_id LIMIT 1000 ON CONFLICT (user_id) DO UPDATE SET storage_consumed = EXCLUDED.storage_consumed;',
      'INSERT INTO totals (id, n) SELECT 1, count(*) FROM files ON CONFLICT (id) DO UPDATE SET n = EXCLUDED.n;',
      'INSERT INTO usage SELECT owner_id, SUM(size) FROM files WHERE owner_id >= $1 AND owner_id < $2 GROUP BY owner_id ON CONFLICT (user_id) DO UPDATE SET storage_consumed = EXCLUDED.storage_consumed;',
      'INSERT INTO usage SELECT owner_id, SUM(size) FROM files GROUP BY owner_id ON CONFLICT (user_id) DO NOTHING;',
      // formbricks: the rows the code passes as arrays.
      "INSERT INTO contact_attribute_keys (id, key, environment_id) SELECT id, 'language', env_id FROM unnest($1::text[], $2::text[]) AS t(id, env_id) ON CONFLICT (key, environment_id) DO UPDATE SET type = 'default';",
      'INSERT INTO usage SELECT owner_id, SUM(size) FROM files GROUP BY owner_id;',
      'CREATE TABLE usage2 (user_id bigint PRIMARY KEY, storage_consumed bigint);',
      'INSERT INTO usage2 SELECT owner_id, SUM(size) FROM files GROUP BY owner_id ON CONFLICT (user_id) DO UPDATE SET storage_consumed = EXCLUDED.storage_consumed;',
    ].join('\n');
    expectRanges('unbatched-backfill', sql, []);
  });
});
