/**
 * The editor side of migration plans without an editor: lens and tree text from a plan's
 * status, where phases start in a file, the database URL from settings, the config file and
 * the environment, the password kept apart and never shown. The local PostgreSQL is in
 * local-postgres.test.ts.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ConfigError, parseConfig } from '../server/src/engine/config';
import { findConfigFile } from '../server/src/workspace/config-file';
import {
  databaseUrlFromConfig,
  passwordIn,
  redactUrl,
  resolveDatabaseUrl,
  scrubSecrets,
  secretKeyFor,
  withPassword,
} from '../operations/migrations/connection';
import { ago, progressLine, progressPercent, runningLine } from '../operations/migrations/format';
import { phaseAnchors, phaseNodes, phaseView, planNode, planSourceOf, planSummary, type PlanSnapshot } from '../client/src/migrations/model';
import { DatabaseUrlError, describeTarget, loadPlan, parseDatabaseUrl, type PhaseState, type PlanStatus } from '../operations/migrations';
import { writePlan } from './helpers/migrations';
import { temporaryDirectory } from '../simulators/temp';

const NOW = Date.parse('2026-11-29T12:00:00Z');
const HOURS_AGO = (h: number): string => new Date(NOW - h * 3_600_000).toISOString();

function phase(overrides: Partial<PhaseState> & Pick<PhaseState, 'phase' | 'status'>): PhaseState {
  return {
    file: `${overrides.phase}.sql`,
    drift: false,
    checksum: 'a'.repeat(64),
    ledgerChecksum: overrides.status === 'pending' ? null : 'a'.repeat(64),
    startedAt: null,
    finishedAt: null,
    updatedAt: null,
    units: 2,
    unitsDone: 0,
    rowsDone: 0,
    rowsTotal: null,
    lastKey: null,
    batches: 0,
    error: null,
    flag: null,
    ...overrides,
  };
}

function statusOf(phases: PhaseState[]): PlanStatus {
  return { plan: 'orders-status', source: '/w/migrations/orders-status', database: '127.0.0.1:5432 (database app, user deploy)', runner: null, phases };
}

const snapshotOf = (phases: PhaseState[], extra: Partial<PlanSnapshot> = {}): PlanSnapshot => ({
  source: '/w/migrations/orders-status',
  status: statusOf(phases),
  ...extra,
});

describe('lens and tree text from a plan status', () => {
  const interrupted = snapshotOf([
    phase({ phase: 'expand', status: 'done', finishedAt: HOURS_AGO(2), unitsDone: 2 }),
    phase({ phase: 'backfill', status: 'interrupted', units: 1, rowsDone: 410_000, rowsTotal: 1_000_000, lastKey: '410000', batches: 120 }),
    phase({ phase: 'switch', status: 'pending' }),
    phase({ phase: 'contract', status: 'pending' }),
  ]);

  it('applied phases say when, an interrupted backfill how far, pending phases what they wait for', () => {
    assert.deepEqual(
      (['expand', 'backfill', 'switch', 'contract'] as const).map((p) => {
        const view = phaseView(interrupted, p, NOW);
        return [view.text, view.icon, view.runTitle];
      }),
      [
        ['applied 2 h ago', 'applied', undefined],
        ['backfill 41 % — 410,000 / 1,000,000 rows · interrupted — resume', 'interrupted', '▶ Resume backfill'],
        ['pending — after backfill', 'pending', '▶ Run switch'],
        ['pending — after switch', 'pending', '▶ Run contract'],
      ],
    );
    assert.match(phaseView(interrupted, 'backfill', NOW).tooltip, /at key 410000; running it again resumes/);
  });

  it('a finished backfill can run again until a later phase starts', () => {
    const done = (switchStatus: PhaseState['status']): PlanSnapshot =>
      snapshotOf([
        phase({ phase: 'expand', status: 'done', finishedAt: HOURS_AGO(3) }),
        phase({ phase: 'backfill', status: 'done', finishedAt: HOURS_AGO(1), rowsDone: 1_000_000, rowsTotal: 1_000_000 }),
        phase({ phase: 'switch', status: switchStatus }),
      ]);
    assert.equal(phaseView(done('pending'), 'backfill', NOW).text, 'applied 1 h ago — 1,000,000 rows');
    assert.equal(phaseView(done('pending'), 'backfill', NOW).runTitle, '▶ Run backfill again');
    assert.equal(phaseView(done('running'), 'backfill', NOW).runTitle, undefined);
    assert.equal(phaseView(done('pending'), 'expand', NOW).runTitle, undefined);
  });

  it('drift is refused without a run action; a refusal from this window is shown until the phase is done', () => {
    const drift = snapshotOf([phase({ phase: 'expand', status: 'done', finishedAt: HOURS_AGO(1), drift: true, checksum: 'b'.repeat(64) })]);
    const view = phaseView(drift, 'expand', NOW);
    assert.equal(view.text, 'refused: expand.sql changed since it ran (checksum drift)');
    assert.equal(view.icon, 'refused');
    assert.equal(view.runTitle, undefined);
    assert.match(view.tooltip, /Ledger checksum aaaaaaaaaaaa, file bbbbbbbbbbbb/);

    const refusal = snapshotOf([phase({ phase: 'expand', status: 'done' }), phase({ phase: 'contract', status: 'pending' })], {
      lastRuns: {
        contract: {
          outcome: 'refused',
          plan: 'orders-status',
          phase: 'contract',
          message: 'contract refused: switch of plan orders-status is not applied yet; run switch first',
          durationMs: 3,
          rows: 0,
          batches: 0,
          longestBatchMs: 0,
        },
      },
    });
    assert.equal(phaseView(refusal, 'contract', NOW).text, 'refused: contract refused: switch of plan orders-status is not applied yet; run switch first');
    assert.equal(phaseView(refusal, 'contract', NOW).runTitle, '▶ Run contract');
  });

  it('failed, cancelled, running and unknown states', () => {
    const s = snapshotOf([
      phase({ phase: 'expand', status: 'failed', error: 'expand.sql:3: relation "orderz" does not exist', unitsDone: 1 }),
      phase({ phase: 'backfill', status: 'cancelled', unitsDone: 0, units: 1, rowsDone: 0, rowsTotal: null }),
      phase({ phase: 'switch', status: 'running', unitsDone: 1, units: 3 }),
    ]);
    assert.deepEqual(
      [phaseView(s, 'expand', NOW).text, phaseView(s, 'expand', NOW).runTitle],
      ['failed: expand.sql:3: relation "orderz" does not exist', '▶ Retry expand'],
    );
    assert.equal(phaseView(s, 'backfill', NOW).text, 'cancelled after 0/1 statements — resume');
    assert.deepEqual([phaseView(s, 'switch', NOW).text, phaseView(s, 'switch', NOW).runTitle], ['1/3 statements · running', undefined]);
    assert.deepEqual([phaseView({ ...s, running: 'switch' }, 'switch', NOW).text], ['running…']);
    const unknown = phaseView({ source: '/w/p', statusError: 'no database configured' }, 'expand', NOW);
    assert.deepEqual([unknown.text, unknown.icon, unknown.runTitle], ['no database configured', 'unknown', '▶ Run expand']);
    const long = phaseView(snapshotOf([phase({ phase: 'expand', status: 'failed', error: 'x'.repeat(300) })]), 'expand', NOW);
    assert.ok(long.text.length <= 150 && long.text.endsWith('…'), long.text);
    assert.ok(long.tooltip.includes('x'.repeat(300)));
  });

  it('the switch phase shows its bound flag as the ramp last recorded it', () => {
    const flag = { key: 'payment-new-flow', steps: [10, 50, 100], interval: '5m', environment: null, percent: null, killed: false, reason: null, at: null };
    const at = HOURS_AGO(1);
    const s = (switchPhase: Partial<PhaseState>) =>
      snapshotOf([
        phase({ phase: 'expand', status: 'done', finishedAt: HOURS_AGO(2) }),
        phase({ phase: 'switch', status: 'pending', units: 0, ...switchPhase }),
      ]);
    const pending = phaseView(s({ flag }), 'switch', NOW);
    assert.equal(pending.text, 'pending · flag payment-new-flow not ramped');
    assert.match(pending.tooltip, /\nflag payment-new-flow: not ramped yet \(10, 50, 100 % every 5m\)$/);
    const half = phaseView(s({ status: 'interrupted', flag: { ...flag, environment: 'production', percent: 50, at } }), 'switch', NOW);
    assert.equal(half.text, 'interrupted after 0/0 statements — resume · flag payment-new-flow 50 % in production');
    assert.match(half.tooltip, new RegExp(`\\nflag payment-new-flow 50 % in production \\(step 2 of 3\\) \\(recorded ${at}\\)$`));
    const killed = phaseView(
      s({
        status: 'failed',
        error: 'gate failed',
        flag: { ...flag, environment: 'production', percent: 0, killed: true, reason: 'error-rate: canary 20 % > 1 %', at },
      }),
      'switch',
      NOW,
    );
    assert.equal(killed.text, 'failed: gate failed · flag payment-new-flow off (gate failed)');
    assert.match(killed.tooltip, /flag payment-new-flow turned off in production by a failing gate \(error-rate: canary 20 % > 1 %\)/);
    assert.equal(phaseView(s({}), 'switch', NOW).text, 'pending', 'a switch phase that binds no flag');
  });

  it('the plan line and tree items with context values for the menus', async () => {
    assert.equal(planSummary(interrupted), 'expand ✓ · backfill 41 % · switch pending · contract pending');
    assert.equal(planSummary({ source: '/w/p', statusError: 'cannot connect to PostgreSQL at db:5432' }), 'cannot connect to PostgreSQL at db:5432');
    const tmp = temporaryDirectory('rg-ui-tree-');
    try {
      const dir = writePlan(path.join(tmp, 'migrations', 'orders-status'), {
        'expand.sql': 'ALTER TABLE orders ADD COLUMN s text;\n',
        'backfill.sql': '-- rollout-guard: backfill table=orders key=id batch=100\nUPDATE orders SET s = old WHERE s IS NULL;\n',
        'switch.sql': "ALTER TABLE orders ALTER COLUMN s SET DEFAULT 'open';\n",
        'contract.sql': 'ALTER TABLE orders DROP COLUMN old;\n',
      });
      const snapshot = { ...interrupted, source: dir, plan: await loadPlan(dir) };
      const plan = planNode(snapshot, tmp);
      assert.deepEqual([plan.label, plan.contextValue, plan.icon], ['orders-status', 'rolloutGuard.plan', 'plan']);
      assert.match(plan.tooltip, /^Plan orders-status \(migrations\/orders-status\)\non 127\.0\.0\.1:5432/);
      assert.deepEqual(
        phaseNodes(snapshot, NOW).map((n) => [n.label, n.contextValue, n.icon, n.id]),
        [
          ['expand', 'rolloutGuard.phase', 'applied', `phase:${dir}#expand`],
          ['backfill', 'rolloutGuard.phase.runnable', 'interrupted', `phase:${dir}#backfill`],
          ['switch', 'rolloutGuard.phase.runnable', 'pending', `phase:${dir}#switch`],
          ['contract', 'rolloutGuard.phase.runnable', 'pending', `phase:${dir}#contract`],
        ],
      );
      const broken = planNode({ source: path.join(tmp, 'bad'), planError: 'expand.sql:1: syntax error at or near "ALTR"' });
      assert.deepEqual([broken.icon, broken.description], ['plan-error', 'expand.sql:1: syntax error at or near "ALTR"']);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });

  it('progress: rows, rate and ETA; percent for the notification', () => {
    const p = {
      plan: 'p',
      table: 'orders',
      rowsDone: 410_000,
      rowsTotal: 1_000_000,
      rowsPerSecond: 78_213.4,
      etaSeconds: 7.54,
      batchSize: 3900,
      lastKey: '410000',
    };
    assert.equal(progressLine(p), '410,000 / 1,000,000 rows (41 %) · 78,213 rows/s · ETA 7.5 s');
    assert.equal(progressPercent(p), 41);
    assert.equal(progressLine({ ...p, etaSeconds: undefined, rowsTotal: 0, rowsDone: 0 }), '0 / 0 rows (100 %) · 78,213 rows/s');
    assert.equal(ago(HOURS_AGO(50), NOW), '2 days ago');
    // While this window runs the backfill, its lens follows the progress.
    const running = phaseView({ source: '/w/p', running: 'backfill', runningProgress: runningLine(p) }, 'backfill', NOW);
    assert.deepEqual(
      [running.text, running.icon, running.runTitle],
      ['backfill 41 % — 410,000 / 1,000,000 rows · 78,213 rows/s · running', 'running', undefined],
    );
  });
});

describe('which plan a file belongs to, and where its phases start', () => {
  let tmp: string;
  before(() => (tmp = temporaryDirectory('rg-ui-anchors-')));
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('a phase file belongs to its folder; its lens sits on the first line', async () => {
    const dir = writePlan(path.join(tmp, 'orders-status'), {
      'expand.sql': '-- the new column\nALTER TABLE orders ADD COLUMN s text;\n',
      'contract.sql': 'ALTER TABLE orders DROP COLUMN old;\n',
    });
    const file = path.join(dir, 'contract.sql');
    assert.equal(planSourceOf(file, fs.readFileSync(file, 'utf8')), dir);
    const plan = await loadPlan(dir);
    assert.deepEqual(phaseAnchors(file, fs.readFileSync(file, 'utf8'), plan), [{ phase: 'contract', line: 0 }]);
    assert.equal(planSourceOf(path.join(tmp, 'notes.sql'), 'SELECT 1;'), undefined);
    // As loadPlan reads folders: only <phase>.sql files make a folder a plan.
    assert.equal(planSourceOf(path.join(dir, 'expand.pgsql'), 'SELECT 1;'), undefined);
  });

  it('a marker file is its own plan; each lens sits on its phase marker', async () => {
    const file = path.join(tmp, '20261129_orders.sql');
    const text = [
      '-- Replace old by s.',
      '-- rollout-guard: phase expand',
      'ALTER TABLE orders ADD COLUMN s text;',
      '',
      '--   rollout-guard: phase Contract',
      'ALTER TABLE orders DROP COLUMN old;',
      '',
    ].join('\n');
    fs.writeFileSync(file, text);
    assert.equal(planSourceOf(file, text), file);
    assert.deepEqual(phaseAnchors(file, text, await loadPlan(file)), [
      { phase: 'expand', line: 1 },
      { phase: 'contract', line: 4 },
    ]);
    // Another file of the workspace has no lenses for this plan.
    assert.deepEqual(phaseAnchors(path.join(tmp, 'other.sql'), text, await loadPlan(file)), []);
  });
});

describe('database URL and password', () => {
  it('database.url from .rollout-guard.yaml, and clear errors with their line for a malformed section', () => {
    const urlIn = (text: string, file?: string): string | undefined => databaseUrlFromConfig(parseConfig(text, file));
    assert.equal(urlIn('pgVersion: 16\ndatabase:\n  url: postgres://deploy@db.internal:5432/app\n'), 'postgres://deploy@db.internal:5432/app');
    assert.equal(urlIn('pgVersion: 16\n'), undefined);
    assert.equal(urlIn(''), undefined);
    assert.throws(
      () => urlIn('database: postgres://x@y/z\n'),
      (e: Error) => e instanceof ConfigError && e.line === 1 && /^\.rollout-guard\.yaml:1: database must be a mapping/.test(e.message),
    );
    assert.throws(
      () => urlIn('pgVersion: 16\ndatabase:\n  url: mysql://x@y/z\n', 'ci.yaml'),
      (e: Error) =>
        e instanceof ConfigError &&
        e.source === 'ci.yaml' &&
        e.line === 3 &&
        /^ci\.yaml:3: database\.url: the database URL must start with postgres:\/\//.test(e.message),
    );
    assert.throws(() => urlIn('database:\n  url: 5432\n'), /^ConfigError: \.rollout-guard\.yaml:2: database\.url must be a string, got 5432\./);
    assert.throws(() => urlIn('database:\n  uri: postgres://x@y/z\n'), /:2: unknown setting database\.uri\. Known: url\./);
    assert.throws(
      () => urlIn('database: [\n'),
      /^ConfigError: \.rollout-guard\.yaml:2: not valid YAML: Flow sequence in block collection must be sufficiently indented and end with a \]$/,
    );
  });

  it('first found wins: local server, flag, setting, environment, config file', () => {
    const config = { url: 'postgres://c@h/db', file: '.rollout-guard.yaml' };
    const env = { DATABASE_URL: 'postgres://e@h/db' };
    assert.deepEqual(resolveDatabaseUrl({ config, env }), { url: 'postgres://e@h/db', source: 'env', origin: 'environment variable DATABASE_URL' });
    assert.equal(resolveDatabaseUrl({ config, env: { ...env, ROLLOUT_GUARD_DATABASE_URL: 'postgres://r@h/db' } })?.url, 'postgres://r@h/db');
    assert.equal(resolveDatabaseUrl({ config })?.origin, 'database.url in .rollout-guard.yaml');
    assert.equal(resolveDatabaseUrl({ config, env, setting: 'postgres://s@h/db' })?.source, 'setting');
    assert.equal(resolveDatabaseUrl({ config, env, setting: 'postgres://s@h/db', flag: 'postgres://f@h/db' })?.source, 'flag');
    assert.equal(resolveDatabaseUrl({ config, setting: 'postgres://s@h/db', local: 'postgres://postgres:pw@127.0.0.1:5/postgres' })?.source, 'local');
    assert.equal(resolveDatabaseUrl({ env: {} }), undefined);
  });

  it('a stored password is keyed by login, merged at run time, and never shown', () => {
    const key = secretKeyFor('postgres://deploy@db.internal/app');
    assert.equal(key, 'rolloutGuard.databasePassword:deploy@db.internal:5432/app');
    assert.equal(secretKeyFor('postgresql://deploy:old@db.internal:5432/app?sslmode=require'), key);
    assert.notEqual(secretKeyFor('postgres://deploy@db.internal/other'), key);

    const password = 'p@ss:w/rd %41';
    const merged = withPassword('postgres://deploy@db.internal:5432/app?sslmode=require', password);
    assert.equal(passwordIn(merged), password);
    assert.equal(new URL(merged).searchParams.get('sslmode'), 'require');
    assert.equal(withPassword('postgres://deploy:old@db/app', 'new'), 'postgres://deploy:new@db/app');
    assert.equal(withPassword('postgres://deploy@db/app', undefined), 'postgres://deploy@db/app');
    assert.throws(() => withPassword('postgres://db/app', 'pw'), /names no user/);

    assert.equal(redactUrl(merged), 'postgres://deploy:***@db.internal:5432/app?sslmode=require');
    assert.ok(!redactUrl(merged).includes('w/rd') && !redactUrl(merged).includes(encodeURIComponent(password)));
    assert.equal(redactUrl('postgres://deploy@db/app'), 'postgres://deploy@db/app');
    assert.equal(redactUrl('postgres://u:se cret@[bad/x'), 'postgres://***@[bad/x');
    assert.equal(scrubSecrets(`failed for ${merged} (${password})`, [password]), 'failed for postgres://deploy:***@db.internal:5432/app?sslmode=require (***)');
    assert.equal(redactUrl('postgres://u:pa/ss@db:99999/app'), 'postgres://***@db:99999/app');
  });

  it('the target is where node-postgres connects: ?host=, ?port= and ?user= win over the URL, and name the stored password', () => {
    const url = 'postgres://deploy@prod-db.example:5432/app?host=other.example&port=6543&user=intruder';
    assert.deepEqual(parseDatabaseUrl(url), { host: 'other.example', port: 6543, database: 'app', user: 'intruder' });
    assert.equal(secretKeyFor(url), 'rolloutGuard.databasePassword:intruder@other.example:6543/app');
    assert.equal(describeTarget(parseDatabaseUrl(url)), describeTarget({ host: 'other.example', port: 6543, database: 'app', user: 'intruder' }));
    assert.throws(() => parseDatabaseUrl('postgres://deploy@db/app?password=x'), /sets \?password=: leave the password out of the URL/);
    assert.throws(() => parseDatabaseUrl('postgres://deploy@db/app?hostaddr=10.0.0.1'), /\?hostaddr=/);
    assert.throws(
      () => parseDatabaseUrl('postgres://deploy@db/app?sslmode=verify-full&sslrootcert=/nonexistent/ca.pem'),
      (error: unknown) => error instanceof DatabaseUrlError && /names \/nonexistent\/ca\.pem, which cannot be read \(ENOENT\)/.test(error.message),
    );
  });

  it('the config file is looked up from the current folder to the repository root', () => {
    const tmp = temporaryDirectory('rg-ui-config-');
    try {
      fs.mkdirSync(path.join(tmp, 'repo/.git'), { recursive: true });
      fs.mkdirSync(path.join(tmp, 'repo/migrations/p'), { recursive: true });
      fs.writeFileSync(path.join(tmp, '.rollout-guard.yaml'), 'database: {url: postgres://outside@h/db}\n');
      assert.equal(findConfigFile(path.join(tmp, 'repo/migrations/p')), undefined);
      fs.writeFileSync(path.join(tmp, 'repo/.rollout-guard.yaml'), 'database: {url: postgres://inside@h/db}\n');
      assert.equal(findConfigFile(path.join(tmp, 'repo/migrations/p')), path.join(tmp, 'repo/.rollout-guard.yaml'));
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });
});
