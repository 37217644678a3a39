/**
 * The switch phase bound to a flag, against a real Unleash 6.10 (npm unleash-server, installed by
 * `npm run setup`) on the embedded PostgreSQL, a real Prometheus scraping the demo service and
 * the Kubernetes API stand-in for the canary the gates measure: the real CLI ramps the flag
 * through its steps (each in the ledger), a failing gate turns it off (exit 1), a killed run
 * resumes from the recorded step, and contract waits until the flag is fully on. The Flags view's
 * Ramp (no plan, no ledger) goes through the same ramp behind the same gates.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { UnleashProvider, type FlagAccess } from '../operations/flags';
import { ClusterClient } from '../operations/cluster';
import { canaryGateCheck, loadGateSettings } from '../operations/gates';
import {
  Db,
  FLAG_STEPS_TABLE,
  loadPlan,
  PhaseFailure,
  planStatus,
  rampFlag,
  runPhase,
  UNRECORDED,
  type RampClock,
  type RunEvent,
} from '../operations/migrations';
import { startDemoService, startTraffic, type DemoService, type TrafficGenerator } from '../simulators/demo-service';
import { startStandIn, type KubernetesStandIn } from '../simulators/k8s-stand-in';
import { startPostgres, type TestPostgres } from '../simulators/postgres';
import { startPrometheus, type TestPrometheus } from '../simulators/prometheus';
import { temporaryDirectory } from '../simulators/temp';
import { startUnleash, type TestUnleash } from '../simulators/unleash';
import { repoRoot } from '../simulators/lsp-client';
import { runCli, startCli, waitUntil, writePlan } from './helpers/migrations';

interface EnvironmentJson {
  enabled: boolean;
  strategies: { name: string; parameters: Record<string, string> }[];
}

/** A clock that never waits and remembers what it was asked to wait. */
function instantClock(): RampClock & { waits: number[] } {
  const waits: number[] = [];
  return { waits, wait: async (ms) => void waits.push(ms) };
}

describe('the switch phase ramps its flag (real Unleash, Prometheus, PostgreSQL)', () => {
  let postgres: TestPostgres;
  let unleash: TestUnleash;
  let prometheus: TestPrometheus;
  let demo: DemoService;
  let traffic: TrafficGenerator;
  let standIn: KubernetesStandIn;
  let dir: string;
  let config: string;
  let kubeconfig: string;
  let databaseUrl: string;
  let db: Db;

  const env = (): NodeJS.ProcessEnv => ({ ROLLOUT_GUARD_FLAGS_TOKEN: unleash.adminToken, ROLLOUT_GUARD_DATABASE_URL: databaseUrl });
  const migrate = (plan: string, phase: string, extra: string[] = [], configFile = config) =>
    runCli(['migrate', 'run', plan, '--phase', phase, '--config', configFile, ...extra], env());
  const inUnleash = async (key: string): Promise<{ enabled: boolean; rollout: string[] }> => {
    const e = (await unleash.admin('GET', `projects/default/features/${key}/environments/production`)) as EnvironmentJson;
    return { enabled: e.enabled, rollout: e.strategies.filter((s) => s.name === 'flexibleRollout').map((s) => s.parameters.rollout!) };
  };
  const steps = async (plan: string): Promise<string[]> =>
    (
      await db.query<{ flag: string; percent: number; action: string }>(`SELECT flag, percent, action FROM ${FLAG_STEPS_TABLE} WHERE plan = $1 ORDER BY id`, [
        plan,
      ])
    ).rows.map((r) => `${r.flag} ${r.action} ${r.percent}`);
  /** A plan folder: a table made in expand, a switch.sql with `marker`, a column dropped in contract. */
  const plan = (name: string, marker: string): string =>
    writePlan(path.join(dir, name), {
      'expand.sql': `CREATE TABLE ${name.replace(/-/g, '_')} (id bigint PRIMARY KEY, old_status text, new_status text);\n`,
      'switch.sql': `-- Reads move to new_status as the flag turns on.\n${marker}\n`,
      'contract.sql': `ALTER TABLE ${name.replace(/-/g, '_')} DROP COLUMN old_status;\n`,
    });
  const createFlag = (name: string) => unleash.admin('POST', 'projects/default/features', { name });
  const flags = (): FlagAccess => ({
    provider: new UnleashProvider({ url: unleash.apiUrl, token: unleash.adminToken, project: 'default' }),
    environment: 'production',
  });

  before(async () => {
    dir = temporaryDirectory('rg-flag-switch-');
    // checkout: v1 stable, v2 canary (healthy); payments: v1 stable, v3 canary answering 20 % with 500.
    const shop = fs.readFileSync(path.join(repoRoot, 'playground/cluster/shop.yaml'), 'utf8');
    standIn = await startStandIn({ seed: [shop, shop.replace(/checkout/g, 'payments').replace(/v2/g, 'v3')], namespace: 'shop' });
    kubeconfig = standIn.writeKubeconfig(dir, { namespace: 'shop' });
    demo = await startDemoService({ v1: { errorRate: 0, latencyMs: 2 }, v2: { errorRate: 0, latencyMs: 2 }, v3: { errorRate: 0.2, latencyMs: 2 } });
    traffic = startTraffic(demo, { ratePerSecond: 60, weights: { v1: 20, v2: 20, v3: 20 } });
    postgres = await startPostgres();
    [prometheus, unleash] = await Promise.all([startPrometheus({ targets: demo.targets }), startUnleash(postgres)]);
    databaseUrl = await postgres.createDatabase('app');
    db = await Db.connect(databaseUrl);
    config = path.join(dir, 'flags.yaml');
    fs.writeFileSync(
      config,
      `flags:\n  provider: unleash\n  url: ${unleash.apiUrl}\n  environment: production\ngates:\n  interval: 5s\nprometheus:\n  url: ${prometheus.url}\n`,
    );
    // Every version has a request rate, and v3 a rate of 500s, before the gates are asked.
    await prometheus.waitFor('count(rate(http_request_duration_seconds_count[5s]) > 0)', (v) => v[0] === 3, 30_000);
    await prometheus.waitFor('count(rate(http_requests_total{status="500"}[5s]) > 0)', (v) => v[0] === 1, 30_000);
  });
  after(async () => {
    await db?.close();
    await traffic?.stop();
    await Promise.all([unleash?.stop(), prometheus?.stop(), demo?.stop(), standIn?.stop()]);
    await postgres?.stop();
  });

  it('the CLI ramps the flag 10 → 50 → 100 % with the gates passing between steps, each step in the ledger', async () => {
    await createFlag('payment-new-flow');
    const source = plan('payment-status', '-- rollout-guard: switch flag=payment-new-flow steps=10,50,100 interval=1s');
    assert.equal((await migrate(source, 'expand')).code, 0);
    const run = await migrate(source, 'switch', ['--canary', 'shop/checkout', '--kubeconfig', kubeconfig]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^switch of plan payment-status applied; flag payment-new-flow is 100 % on in production/);
    const lines = run.stderr.split('\n').filter((l) => l.startsWith('switch:'));
    assert.deepEqual(
      lines.map((l) => l.replace(/: \d+ gates passed$/, ': N gates passed')),
      [
        'switch: flag payment-new-flow set to 10 % in production (step 1 of 3)',
        'switch: flag payment-new-flow holds 10 % for 1s, then the gates, then 50 %',
        'switch: gates pass: N gates passed',
        'switch: flag payment-new-flow set to 50 % in production (step 2 of 3)',
        'switch: flag payment-new-flow holds 50 % for 1s, then the gates, then 100 %',
        'switch: gates pass: N gates passed',
        'switch: flag payment-new-flow set to 100 % in production (step 3 of 3)',
      ],
    );
    assert.deepEqual(await steps('payment-status'), ['payment-new-flow step 10', 'payment-new-flow step 50', 'payment-new-flow step 100']);
    assert.deepEqual(await inUnleash('payment-new-flow'), { enabled: true, rollout: ['100'] });
    const status = await planStatus(await loadPlan(source), databaseUrl);
    assert.deepEqual(status.phases.find((p) => p.phase === 'switch')?.flag && { ...status.phases.find((p) => p.phase === 'switch')!.flag!, at: 'ISO' }, {
      key: 'payment-new-flow',
      steps: [10, 50, 100],
      interval: '1s',
      environment: 'production',
      percent: 100,
      killed: false,
      reason: null,
      at: 'ISO',
    });
    const text = await runCli(['migrate', 'status', source, '--config', config], env());
    assert.match(text.stdout, /\n {2}switch {4}done {5}flag payment-new-flow 100 % in production \(step 3 of 3\), applied \d+ s ago\n/);
    // Done is done: a second run changes nothing.
    const again = await migrate(source, 'switch');
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /already applied/);
  });

  it('a failing gate turns the flag off and stops the phase: exit 1, the kill in the ledger', async () => {
    await createFlag('payments-v3');
    const source = plan('payments-v3', '-- rollout-guard: switch flag=payments-v3 steps=25,100 interval=1s');
    assert.equal((await migrate(source, 'expand')).code, 0);
    const run = await migrate(source, 'switch', ['--canary', 'shop/payments', '--kubeconfig', kubeconfig]);
    assert.equal(run.code, 1, run.stderr);
    assert.match(
      run.stderr,
      /rollout-guard: gate failed at 25 % of flag payments-v3: error-rate: canary [\d.]+ % > 1 % \(stable 0 %\); flag payments-v3 turned off in production\. Run the switch phase again to ramp it from the first step\n$/,
    );
    assert.deepEqual(await steps('payments-v3'), ['payments-v3 step 25', 'payments-v3 killed 0']);
    assert.equal((await inUnleash('payments-v3')).enabled, false);
    const status = await planStatus(await loadPlan(source), databaseUrl);
    assert.equal(status.phases.find((p) => p.phase === 'switch')?.status, 'failed');
  });

  it('a run killed while it holds a step resumes from that step (the clock injected: no real wait)', async () => {
    await createFlag('resume-me');
    const source = plan('resume-me', '-- rollout-guard: switch flag=resume-me steps=10,50,100 interval=1h');
    assert.equal((await migrate(source, 'expand')).code, 0);
    const cli = startCli(['migrate', 'run', source, '--phase', 'switch', '--config', config], env());
    await cli.output(/holds 10 % for 1h/);
    cli.child.kill('SIGKILL');
    assert.equal((await cli.done).signal, 'SIGKILL');
    assert.deepEqual(await steps('resume-me'), ['resume-me step 10']);
    // The kill switch pulled by hand meanwhile: the resumed run puts the recorded step back first.
    await unleash.admin('POST', 'projects/default/features/resume-me/environments/production/off');

    const clock = instantClock();
    const events: RunEvent[] = [];
    // The old runner's session may still hold the plan's lock for a moment after the kill.
    const result = await waitUntil('the killed runner to let go of the plan', async () => {
      const r = await runPhase(await loadPlan(source), { databaseUrl, phase: 'switch', flags: flags(), clock, onEvent: (e) => events.push(e) });
      return r.outcome === 'refused' && /another runner/.test(r.message) ? undefined : r;
    });
    assert.equal(result.outcome, 'applied', result.message);
    assert.deepEqual(clock.waits, [3_600_000, 3_600_000]);
    assert.deepEqual(
      events.filter((e) => e.type.startsWith('flag-')).map((e) => `${e.type} ${'percent' in e ? e.percent : ''}`),
      ['flag-resume 10', 'flag-wait 10', 'flag-step 50', 'flag-wait 50', 'flag-step 100'],
    );
    assert.deepEqual(await steps('resume-me'), ['resume-me step 10', 'resume-me step 50', 'resume-me step 100']);
    assert.deepEqual(await inUnleash('resume-me'), { enabled: true, rollout: ['100'] });
  });

  it('contract is refused while the flag is not fully on, naming it and its state, and runs once it is', async () => {
    await createFlag('contract-me');
    const source = plan('contract-me', '-- rollout-guard: switch flag=contract-me steps=100 interval=1s');
    assert.equal((await migrate(source, 'expand')).code, 0);
    assert.equal((await migrate(source, 'switch')).code, 0);
    // The kill switch: contract must wait.
    assert.equal((await runCli(['flag', 'off', 'contract-me', '--config', config], env())).code, 0);
    const off = await migrate(source, 'contract');
    assert.equal(off.code, 1);
    assert.equal(off.stderr, 'rollout-guard: contract refused: contract-me is off in production; contract waits until it is 100 % on (run the switch phase)\n');
    await unleash.admin('POST', 'projects/default/features/contract-me/environments/production/on');
    assert.equal((await runCli(['flag', 'set', 'contract-me', '--percent', '50', '--config', config], env())).code, 0);
    const half = await migrate(source, 'contract');
    assert.equal(half.code, 1);
    assert.match(half.stderr, /contract refused: contract-me is 50 % in production;/);
    // Without a flag service configured, contract of a plan with a bound flag fails closed.
    const noFlags = path.join(dir, 'no-flags.yaml');
    fs.writeFileSync(noFlags, 'pgVersion: 16\n');
    const unconfigured = await migrate(source, 'contract', [], noFlags);
    assert.equal(unconfigured.code, 1);
    assert.match(
      unconfigured.stderr,
      /contract refused: the switch phase binds flag contract-me, but no flag service is configured: flags: must be configured/,
    );
    const columns = async () =>
      (await db.query<{ column_name: string }>(`SELECT column_name FROM information_schema.columns WHERE table_name = 'contract_me' ORDER BY 1`)).rows.map(
        (r) => r.column_name,
      );
    assert.deepEqual(await columns(), ['id', 'new_status', 'old_status'], 'nothing dropped while refused');
    assert.equal((await runCli(['flag', 'set', 'contract-me', '--percent', '100', '--config', config], env())).code, 0);
    const on = await migrate(source, 'contract');
    assert.equal(on.code, 0, on.stderr);
    assert.deepEqual(await columns(), ['id', 'new_status']);
  });

  it("the Flags view's ramp (no ledger) behind a failing canary's gates turns the flag off and says to ramp again from the view", async () => {
    await createFlag('view-ramp');
    const gates = canaryGateCheck(ClusterClient.fromKubeconfig({ kubeconfig }), 'shop/payments', loadGateSettings({ cwd: dir, configFile: config }));
    const events: string[] = [];
    await assert.rejects(
      rampFlag({
        ledger: UNRECORDED,
        again: 'ramp it again from the Flags view',
        phase: 'switch',
        binding: { flag: 'view-ramp', steps: [25, 100], interval: '1s', intervalMs: 1000 },
        flags: flags(),
        gateCheck: gates,
        clock: instantClock(),
        onEvent: (e) => void events.push(e.type),
      }),
      (error: Error) =>
        error instanceof PhaseFailure &&
        /^gate failed at 25 % of flag view-ramp: error-rate: canary [\d.]+ % > 1 % \(stable 0 %\); flag view-ramp turned off in production\. Ramp it again from the Flags view to ramp it from the first step$/.test(
          error.message,
        ),
    );
    assert.deepEqual(events, ['flag-step', 'flag-wait', 'flag-gate', 'flag-killed']);
    assert.deepEqual(await inUnleash('view-ramp'), { enabled: false, rollout: ['25'] });
  });

  it('the switch phase refuses without a flag service, and an unreadable marker names its file and line', async () => {
    const source = plan('no-service', '-- rollout-guard: switch flag=anything');
    const noFlags = path.join(dir, 'no-flags.yaml');
    fs.writeFileSync(noFlags, 'pgVersion: 16\n');
    assert.equal((await migrate(source, 'expand', [], noFlags)).code, 0);
    const refused = await migrate(source, 'switch', [], noFlags);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /switch\.sql binds flag anything, but no flag service is configured: flags: must be configured/);
    const noToken = await runCli(['migrate', 'run', source, '--phase', 'switch', '--config', config], {
      ROLLOUT_GUARD_DATABASE_URL: databaseUrl,
      ROLLOUT_GUARD_FLAGS_TOKEN: '',
    });
    assert.equal(noToken.code, 1);
    assert.match(noToken.stderr, /but the flag service is unavailable: no token for the flag service at .*: set ROLLOUT_GUARD_FLAGS_TOKEN/);

    const broken = plan('broken-marker', '-- rollout-guard: switch flag=x steps=10,50');
    const run = await migrate(broken, 'expand');
    assert.equal(run.code, 1);
    assert.equal(run.stderr, 'rollout-guard: switch.sql:2: steps=10,50 must end at 100: contract waits until the flag is fully on\n');
  });
});
