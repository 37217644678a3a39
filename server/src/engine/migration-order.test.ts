import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compareMigrationNames, migrationPlace, ordersByVersion, withEarlierFiles } from './migration-order';
import type { Finding } from './types';

describe('migration order', () => {
  it('a file runs among the files of its folder, a folder migration among its sibling folders', () => {
    assert.deepEqual(migrationPlace('/app/migrations/0042_add_index.sql'), { folder: '/app/migrations', name: '0042_add_index.sql' });
    assert.deepEqual(migrationPlace('/app/migrations/20240101_x.up.sql'), { folder: '/app/migrations', name: '20240101_x.up.sql' });
    assert.deepEqual(migrationPlace('/app/kratos/20220420_x.postgres.up.sql'), { folder: '/app/kratos', name: '20220420_x.postgres.up.sql' });
    assert.deepEqual(migrationPlace('/app/prisma/migrations/20240101120000_init/migration.sql'), {
      folder: '/app/prisma/migrations',
      name: '20240101120000_init',
    });
    assert.deepEqual(migrationPlace('/cadence/schema/postgres/cadence/versioned/v0.6/cluster_config.sql'), {
      folder: '/cadence/schema/postgres/cadence/versioned',
      name: 'v0.6/cluster_config.sql',
    });
    assert.deepEqual(migrationPlace('/db/1.2.3/0001_x.sql'), { folder: '/db', name: '1.2.3/0001_x.sql' });
    assert.ok(ordersByVersion(migrationPlace('/cadence/versioned/v0.10/x.sql')!));
    assert.ok(compareMigrationNames('v0.9/z.sql', 'v0.10/a.sql') < 0);
    assert.deepEqual(migrationPlace('C:\\app\\migrations\\2019-02-26-002946_create_user\\up.sql'), {
      folder: 'C:/app/migrations',
      name: '2019-02-26-002946_create_user',
    });
  });

  it('rollback files, rollback folders and other engines’ files run in no PostgreSQL chain', () => {
    for (const file of [
      '/m/0042_x.down.sql',
      '/m/2019-02-26_create_user/down.sql',
      '/m/U2__undo_users.sql',
      '/m/down/0042_x.sql',
      '/m/20220420_x.mysql.up.sql',
      '/m/20220420_x.sqlite3.up.sql',
      '/m/20220420_x.cockroach.up.sql',
    ])
      assert.equal(migrationPlace(file), undefined, file);
  });

  it('only names that start with a version or timestamp order migrations for their facts', () => {
    for (const name of ['0042_x.sql', '20240101_x.up.sql', '2019-02-26-002946_create_user', 'V3__add_index.sql']) assert.ok(ordersByVersion({ name }), name);
    // PostgreSQL's regression suite, a folder of scripts.
    for (const name of ['alter_table.sql', 'seed.sql', 'R__refresh_views.sql']) assert.ok(!ordersByVersion({ name }), name);
  });

  it('names compare as numbers where they hold digits', () => {
    const names = [
      '10_c.sql',
      '2_b.sql',
      '1_a.sql',
      'V10__x.sql',
      'V9__y.sql',
      '0003_d.sql',
      '20150100000001000000_x.up.sql',
      '20150100000001000000_x.postgres.up.sql',
    ];
    assert.deepEqual(names.sort(compareMigrationNames), [
      '1_a.sql',
      '2_b.sql',
      '0003_d.sql',
      '10_c.sql',
      '20150100000001000000_x.postgres.up.sql',
      '20150100000001000000_x.up.sql',
      'V9__y.sql',
      'V10__x.sql',
    ]);
  });

  it('withEarlierFiles: only earlier files of the same folder withdraw a finding', () => {
    const table = { name: 'orders' };
    const finding: Finding = {
      rule: 'adding-not-nullable-field',
      severity: 'warning',
      start: 0,
      end: 1,
      message: 'SET NOT NULL',
      unlessEarlier: { condition: { fact: 'not-null-check', table, column: 'region' }, after: 0 },
    };
    const check = [{ op: 'not-null-check', table, name: 'orders_region_check', column: 'region', validated: true }] as const;
    const files = [
      { file: '/a/002_set.sql', findings: [finding], changes: [] },
      { file: '/a/001_check.sql', findings: [], changes: check },
      { file: '/a/003_set.sql', findings: [finding], changes: [] },
      { file: '/b/004_set.sql', findings: [finding], changes: [] },
      { file: '/a/000_set.sql', findings: [finding], changes: [] },
      { file: '/a/001_check.down.sql', findings: [finding], changes: [] },
    ];
    assert.deepEqual(
      withEarlierFiles(files).map((findings) => findings.length),
      [0, 0, 0, 1, 1, 1],
    );
  });
});
