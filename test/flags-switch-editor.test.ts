/**
 * The switch phase bound to a flag, run from the editor's Migrations view (vscode stand-in) against
 * a real PostgreSQL and a real Unleash 6.10: the same operations code as the CLI ramps the flag,
 * the view shows the flag on the switch phase, and contract is refused while the flag is off.
 * The Flags view's Ramp runs the same ramp, its defaults from the plan's switch marker.
 */
import { extensionContext, outputChannel, registered, setSetting, ui, Uri, workspaceState, vscode } from './helpers/fake-vscode';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { COMMANDS, MIGRATIONS_VIEW } from '../client/src/migrations/ids';
import { deactivateMigrations, registerMigrations } from '../client/src/migrations/register';
import { FlagDefinitions, FLAGS_TOKEN_KEY } from '../client/src/flags/definitions';
import { FlagsView } from '../client/src/flags/view';
import type { LanguageClient } from 'vscode-languageclient/node';
import { FLAG_STEPS_TABLE, type Db, type RampClock } from '../operations/migrations';
import { startPostgres, type TestPostgres } from '../simulators/postgres';
import { temporaryDirectory } from '../simulators/temp';
import { startUnleash, type TestUnleash } from '../simulators/unleash';
import { writePlan } from './helpers/migrations';

describe('the switch phase from the Migrations view (vscode stand-in, real PostgreSQL and Unleash)', () => {
  let pg: TestPostgres;
  let unleash: TestUnleash;
  let db: Db;
  let tmp: string;
  let planDir: string;
  let context: ReturnType<typeof extensionContext>;

  const lastMessage = (): string => ui.messages.at(-1)?.text ?? '';
  const run = (phase: string) => vscode.commands.executeCommand(COMMANDS.runPhase, { source: planDir, phase });
  const switchRow = async (): Promise<string> => {
    const provider = registered.treeViews.get(MIGRATIONS_VIEW)!.treeDataProvider;
    const [plan] = await provider.getChildren();
    for (const phase of await provider.getChildren(plan)) {
      const item = await provider.getTreeItem(phase);
      if (item.label === 'switch') return (item.description ?? '').replace(/\d+ s ago/, 'N s ago');
    }
    return '';
  };

  before(async () => {
    pg = await startPostgres({ trustLoopback: true });
    [unleash] = await Promise.all([startUnleash(pg), pg.createDatabase('app')]);
    db = await pg.connect('app');
    await unleash.admin('POST', 'projects/default/features', { name: 'editor-flow' });
    tmp = temporaryDirectory('rg-flag-editor-');
    const workspace = path.join(tmp, 'workspace');
    planDir = writePlan(path.join(workspace, 'migrations', 'payments'), {
      'expand.sql': 'CREATE TABLE payments (id bigint PRIMARY KEY, old_status text, new_status text);\n',
      'switch.sql': '-- rollout-guard: switch flag=editor-flow steps=50,100 interval=1s\n',
      'contract.sql': 'ALTER TABLE payments DROP COLUMN old_status;\n',
    });
    fs.writeFileSync(path.join(workspace, '.rollout-guard.yaml'), `flags:\n  provider: unleash\n  url: ${unleash.apiUrl}\n  environment: production\n`);
    workspaceState.folders = [{ uri: Uri.file(workspace), name: 'workspace', index: 0 }];
    setSetting('rolloutGuard.migrations.databaseUrl', `postgres://postgres@127.0.0.1:${pg.port}/app`);
    context = extensionContext(path.join(tmp, 'extension'), path.join(tmp, 'storage'));
    fs.mkdirSync(context.extensionPath);
    // The token where the Flags view's command stores it.
    context.secretValues.set(FLAGS_TOKEN_KEY, unleash.adminToken);
    registerMigrations(context as never, outputChannel() as never);
  });

  after(async () => {
    await deactivateMigrations();
    for (const d of context?.subscriptions ?? []) d.dispose();
    await db?.close();
    await unleash?.stop();
    await pg?.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('Run switch ramps the flag to 100 % with the steps in the ledger, and the view shows it', async () => {
    await run('expand');
    assert.match(lastMessage(), /^Rollout Guard: expand of plan payments applied/);
    assert.equal(await switchRow(), 'pending · flag editor-flow not ramped');
    await run('switch');
    assert.match(lastMessage(), /^Rollout Guard: switch of plan payments applied; flag editor-flow is 100 % on in production$/);
    const progress = ui.progress.at(-1)!;
    assert.deepEqual(
      progress.reports.map((r) => r.message).filter((m) => m?.startsWith('flag ')),
      ['flag editor-flow 50 % (step 1 of 2)', 'flag editor-flow holds 50 % for 1s', 'flag editor-flow 100 % (step 2 of 2)'],
    );
    const { rows } = await db.query<{ percent: number }>(`SELECT percent FROM ${FLAG_STEPS_TABLE} WHERE plan = 'payments' ORDER BY id`);
    assert.deepEqual(
      rows.map((r) => r.percent),
      [50, 100],
    );
    assert.equal(await switchRow(), 'applied N s ago · flag editor-flow 100 % in production');
  });

  it('the phases use the flag service the Flags view uses: rolloutGuard.flags.environment over flags: of .rollout-guard.yaml', async () => {
    setSetting('rolloutGuard.flags.environment', 'development');
    try {
      ui.answers.push({ pattern: /^Run contract of plan payments/, choice: 'Run Contract' });
      await run('contract');
      assert.equal(
        lastMessage(),
        'Rollout Guard: contract refused: editor-flow is off in development; contract waits until it is 100 % on (run the switch phase)',
      );
    } finally {
      setSetting('rolloutGuard.flags.environment', undefined);
    }
  });

  it('contract is refused while the flag is off (the kill switch), naming it, and runs once it is back on', async () => {
    await unleash.admin('POST', 'projects/default/features/editor-flow/environments/production/off');
    ui.answers.push({ pattern: /^Run contract of plan payments/, choice: 'Run Contract' });
    await run('contract');
    assert.equal(
      lastMessage(),
      'Rollout Guard: contract refused: editor-flow is off in production; contract waits until it is 100 % on (run the switch phase)',
    );
    await unleash.admin('POST', 'projects/default/features/editor-flow/environments/production/on');
    await run('contract');
    assert.match(lastMessage(), /^Rollout Guard: contract of plan payments applied/);
  });

  describe("the Flags view's Ramp (palette, no gates configured; the clock injected: no real wait)", () => {
    const waits: number[] = [];
    const instantClock: RampClock = { wait: async (ms) => void waits.push(ms) };
    const languageClient = { sendNotification: async () => {} } as unknown as LanguageClient;
    let flags: FlagDefinitions;
    let view: FlagsView;
    const inUnleash = async (): Promise<string> => {
      const e = (await unleash.admin('GET', 'projects/default/features/editor-flow/environments/production')) as {
        enabled: boolean;
        strategies: { name: string; parameters: Record<string, string> }[];
      };
      const rollout = e.strategies.find((s) => s.name === 'flexibleRollout')?.parameters.rollout;
      return `${e.enabled ? 'on' : 'off'} ${rollout ?? '-'} %`;
    };
    const ramp = async (): Promise<void> => {
      ui.quickPick = /^editor-flow$/;
      ui.inputBoxes = [null, null];
      ui.inputBoxesShown.length = 0;
      await vscode.commands.executeCommand('rolloutGuard.flags.ramp');
    };

    before(async () => {
      flags = new FlagDefinitions(languageClient, context.secrets as never, outputChannel() as never);
      view = new FlagsView(flags, Date.now, instantClock);
      await flags.refresh();
    });
    after(() => {
      view?.dispose();
      flags?.dispose();
      ui.cancelWhen = undefined;
    });

    it('asks the steps and interval of the switch marker, ramps the flag through them to 100 % on, the progress says each step', async () => {
      await unleash.admin('POST', 'projects/default/features/editor-flow/environments/production/off');
      await ramp();
      assert.deepEqual(ui.inputBoxesShown, [
        { title: 'Ramp editor-flow in production', value: '50,100' },
        { title: 'Ramp editor-flow in production', value: '1s' },
      ]);
      assert.equal(lastMessage(), 'Rollout Guard: editor-flow is 100 % on in production.');
      const progress = ui.progress.at(-1)!;
      assert.equal(progress.title, 'Ramp editor-flow in production: 50 → 100 %');
      assert.deepEqual(
        progress.reports.map((r) => r.message),
        ['50 % (step 1 of 2)', 'holds 50 % for 1s, then 100 %', '100 % (step 2 of 2)'],
      );
      assert.deepEqual(waits.splice(0), [1000]);
      assert.equal(await inUnleash(), 'on 100 %');
    });

    it('cancel stops the ramp at the step it holds and says where the flag stays', async () => {
      await unleash.admin('POST', 'projects/default/features/editor-flow/environments/production/off');
      ui.cancelWhen = /^holds 50 %/;
      await ramp();
      assert.equal(lastMessage(), 'Rollout Guard: ramp of editor-flow cancelled; it stays at 50 % in production.');
      assert.equal(await inUnleash(), 'on 50 %');
    });
  });

  it('Run switch ramps the flag in the service of rolloutGuard.flags.url and .environment, over flags: of a file naming another', async () => {
    await unleash.admin('POST', 'projects/default/features', { name: 'settings-flow' });
    const workspace = path.join(tmp, 'settings-workspace');
    const plan = writePlan(path.join(workspace, 'migrations', 'orders'), {
      'expand.sql': 'CREATE TABLE orders (id bigint PRIMARY KEY, old_total int, new_total int);\n',
      'switch.sql': '-- rollout-guard: switch flag=settings-flow steps=100 interval=1s\n',
      'contract.sql': 'ALTER TABLE orders DROP COLUMN old_total;\n',
    });
    // The file names a service nothing listens on, and another environment: only the settings reach Unleash.
    fs.writeFileSync(path.join(workspace, '.rollout-guard.yaml'), 'flags:\n  provider: unleash\n  url: http://127.0.0.1:9/api\n  environment: production\n');
    workspaceState.folders.push({ uri: Uri.file(workspace), name: 'settings-workspace', index: 1 });
    setSetting('rolloutGuard.flags.url', unleash.apiUrl);
    setSetting('rolloutGuard.flags.environment', 'development');
    try {
      await vscode.commands.executeCommand(COMMANDS.runPhase, { source: plan, phase: 'expand' });
      await vscode.commands.executeCommand(COMMANDS.runPhase, { source: plan, phase: 'switch' });
      assert.match(lastMessage(), /^Rollout Guard: switch of plan orders applied; flag settings-flow is 100 % on in development$/);
      const development = (await unleash.admin('GET', 'projects/default/features/settings-flow/environments/development')) as { enabled: boolean };
      assert.equal(development.enabled, true);
    } finally {
      setSetting('rolloutGuard.flags.url', undefined);
      setSetting('rolloutGuard.flags.environment', undefined);
      workspaceState.folders.pop();
    }
  });
});
