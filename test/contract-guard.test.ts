/**
 * Contract waits for the old version to be gone: the cluster guard against the Kubernetes API
 * stand-in, alone and through `rollout-guard migrate run --phase contract` on a real PostgreSQL.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ClusterClient, clusterContractGuard } from '../operations/cluster';
import { startStandIn, type KubernetesStandIn } from '../simulators/k8s-stand-in';
import { runCli, writePlan } from './helpers/migrations';
import { startPostgres, type TestPostgres } from '../simulators/postgres';
import { temporaryDirectory } from '../simulators/temp';

const SHOP = fs.readFileSync(path.join(__dirname, '../../playground/cluster/shop.yaml'), 'utf8');

type Route = { destination: { subset: string }; weight: number }[];

describe('contract guard: the old version must be gone', () => {
  let standIn: KubernetesStandIn;
  let tmp: string;
  let kubeconfig: string;
  let pg: TestPostgres;

  const setWeights = (v1: number, v2: number): void =>
    void standIn.update('VirtualService', 'shop', 'checkout', (vs) => {
      const route = (vs.spec as { http: { route: Route }[] }).http[0]!.route;
      route[0]!.weight = v1;
      route[1]!.weight = v2;
    });
  const scaleStable = (replicas: number): void =>
    void standIn.update('Deployment', 'shop', 'checkout-v1', (d) => {
      (d.spec as { replicas: number }).replicas = replicas;
      d.status = { replicas, readyReplicas: replicas, availableReplicas: replicas };
    });

  before(async () => {
    tmp = temporaryDirectory('rg-contract-');
    [standIn, pg] = await Promise.all([startStandIn({ seed: [SHOP], namespace: 'shop' }), startPostgres()]);
    kubeconfig = standIn.writeKubeconfig(tmp, { namespace: 'shop' });
  });

  after(async () => {
    await Promise.all([standIn?.stop(), pg?.stop()]);
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('refuses while the canary is mid-rollout, while the old version serves at 0 %, and while its pods are ready after 100 %', async () => {
    const guard = clusterContractGuard(ClusterClient.fromKubeconfig({ kubeconfig }));
    assert.equal(await guard(), 'canary shop/checkout (route primary) is mid-rollout at 10 %');
    setWeights(100, 0);
    assert.equal(await guard(), 'pods of the old version still run: Deployment shop/checkout-v1 3/3 ready (v1, 100 % of shop/checkout)');
    setWeights(0, 100);
    assert.equal(await guard(), 'pods of the old version still run: Deployment shop/checkout-v1 3/3 ready (v1, 0 % of shop/checkout)');
    scaleStable(0);
    assert.equal(await guard(), undefined);
    // Only the canaries named are checked when some are.
    setWeights(50, 50);
    assert.match((await clusterContractGuard(ClusterClient.fromKubeconfig({ kubeconfig }), { canaries: ['shop/checkout'] })())!, /mid-rollout at 50 %/);
    assert.equal(await clusterContractGuard(ClusterClient.fromKubeconfig({ kubeconfig }), { namespaces: ['other'] })(), undefined);
  });

  it('migrate run --phase contract with --kubeconfig: refused with the reason (exit 1) until the old version is gone, then applied', async () => {
    setWeights(90, 10);
    scaleStable(3);
    const url = await pg.createDatabase('contract');
    const db = await pg.connect('contract');
    try {
      await db.query(`CREATE TABLE orders (id bigint PRIMARY KEY, old_status text, new_status text)`);
      await db.query(`INSERT INTO orders SELECT g, 'P', NULL FROM generate_series(1, 500) g`);
    } finally {
      await db.close();
    }
    const plan = writePlan(path.join(tmp, 'status-plan'), {
      'expand.sql': "SET lock_timeout = '2s';\nALTER TABLE orders ADD COLUMN IF NOT EXISTS note text;\n",
      'backfill.sql': '-- rollout-guard: backfill table=orders key=id batch=100\nUPDATE orders SET new_status = old_status WHERE new_status IS NULL;\n',
      'contract.sql': "SET lock_timeout = '2s';\nALTER TABLE orders DROP COLUMN old_status;\n",
    });
    for (const phase of ['expand', 'backfill']) {
      const ran = await runCli(['migrate', 'run', plan, '--phase', phase, '--database-url', url]);
      assert.equal(ran.code, 0, `${phase}: ${ran.stderr}`);
    }
    const contract = (): ReturnType<typeof runCli> =>
      runCli(['migrate', 'run', plan, '--phase', 'contract', '--database-url', url, '--kubeconfig', kubeconfig]);
    const refused = await contract();
    assert.equal(refused.code, 1, refused.stderr);
    assert.match(refused.stderr, /contract refused: canary shop\/checkout \(route primary\) is mid-rollout at 10 %/);
    setWeights(0, 100);
    scaleStable(0);
    const applied = await contract();
    assert.equal(applied.code, 0, applied.stderr);
    const check = await pg.connect('contract');
    try {
      const { rows } = await check.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM information_schema.columns WHERE table_name = 'orders' AND column_name = 'old_status'`,
      );
      assert.equal(rows[0]!.n, 0);
    } finally {
      await check.close();
    }
  });

  it('an unreachable cluster refuses contract rather than letting it run blind', async () => {
    const guard = clusterContractGuard(ClusterClient.fromKubeconfig({ kubeconfig }));
    await standIn.stop();
    assert.match((await guard())!, /^the cluster could not be checked for the old version \(.*127\.0\.0\.1.*\); contract waits until it can be$/);
  });
});
