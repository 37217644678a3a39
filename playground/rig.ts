/**
 * The playground's live parts, also the end-to-end test bed: the Kubernetes API stand-in serving
 * playground/cluster/*.yaml, a demo checkout service (stable v1, canary v2) taking traffic split by
 * the live VirtualService weights, a real Prometheus scraping it, an embedded PostgreSQL with a
 * demo orders table, and a real Unleash on it with the `payment-new-flow` flag, which v2 reads: on
 * its new code path it reads orders.new_payment_status (the payment-status plan's new column).
 * `startRig` writes the workspace's .vscode/settings.json and the flags: section of its
 * .rollout-guard.yaml so the extension finds them all; `stop()` leaves nothing running.
 */
import fs from 'node:fs';
import path from 'node:path';
import { startDemoService, startTraffic, type DemoService, type TrafficGenerator, type VersionBehaviour, type Weights } from '../simulators/demo-service';
import { startStandIn, type KubernetesStandIn } from '../simulators/k8s-stand-in';
import { startPostgres, type TestPostgres } from '../simulators/postgres';
import { startPrometheus, type TestPrometheus } from '../simulators/prometheus';
import { pollUnleashFlag, startUnleash, type TestUnleash } from '../simulators/unleash';

export const CANARY = { namespace: 'shop', virtualService: 'checkout', stable: 'v1', canary: 'v2' } as const;
/** The flag the payment-status plan's switch phase ramps, read by the canary (v2). */
export const FLAG = { key: 'payment-new-flow', environment: 'production' } as const;

export interface RigOptions {
  /** The workspace folder that VS Code opens: its .vscode/settings.json points at the rig. */
  workspace: string;
  /** Where the kubeconfig and other generated files go. */
  stateDir: string;
  /** Rows of the demo orders table (default 200,000). */
  orders?: number;
  /** Requests per second through the demo service (default 40). */
  ratePerSecond?: number;
  log?: (line: string) => void;
}

export interface Rig {
  kubeconfig: string;
  prometheusUrl: string;
  databaseUrl: string;
  standIn: KubernetesStandIn;
  demo: DemoService;
  traffic: TrafficGenerator;
  prometheus: TestPrometheus;
  postgres: TestPostgres;
  /** Unleash with the payment-new-flow flag; its admin token is what the editor and the CLI use. */
  unleash: TestUnleash;
  /** The canary's share of traffic now, as the VirtualService says. */
  canaryWeight(): number;
  /** Changes how the canary (v2) behaves, e.g. { errorRate: 0.2 } to break it. */
  setCanary(behaviour: Partial<VersionBehaviour>): void;
  stop(): Promise<void>;
}

/** Weight per subset of the VirtualService's first route, as the mesh would route. */
function liveWeights(standIn: KubernetesStandIn): Weights {
  const vs = standIn.object('VirtualService', CANARY.namespace, CANARY.virtualService) as
    { spec?: { http?: { route?: { destination?: { subset?: string }; weight?: number }[] }[] } } | undefined;
  const weights: Weights = {};
  for (const r of vs?.spec?.http?.[0]?.route ?? []) if (r.destination?.subset) weights[r.destination.subset] = r.weight ?? 0;
  return weights;
}

/** Starts every part; if one fails, the ones already started are stopped. */
export async function startRig(options: RigOptions): Promise<Rig> {
  const log = options.log ?? (() => {});
  const stops: (() => Promise<void>)[] = [];
  const stopAll = async (): Promise<void> => {
    for (const stop of stops.reverse()) await stop().catch((error: unknown) => log(`stopping: ${String(error)}`));
  };
  try {
    fs.mkdirSync(options.stateDir, { recursive: true });
    const seeds = fs
      .readdirSync(path.join(__dirname, '../../playground/cluster'))
      .filter((f) => f.endsWith('.yaml'))
      .map((f) => fs.readFileSync(path.join(__dirname, '../../playground/cluster', f), 'utf8'));
    const standIn = await startStandIn({ seed: seeds, namespace: CANARY.namespace });
    stops.push(() => standIn.stop());
    const kubeconfig = standIn.writeKubeconfig(options.stateDir, { namespace: CANARY.namespace });
    log(`Kubernetes API stand-in: ${standIn.url} (kubeconfig ${kubeconfig})`);

    const demo = await startDemoService({ [CANARY.stable]: { errorRate: 0.002, latencyMs: 20 }, [CANARY.canary]: { errorRate: 0, latencyMs: 30 } });
    stops.push(() => demo.stop());
    const traffic = startTraffic(demo, { ratePerSecond: options.ratePerSecond ?? 40, weights: () => liveWeights(standIn), weightsRefreshMs: 250 });
    stops.push(() => traffic.stop());
    log(`demo service: stable ${demo.url(CANARY.stable)}, canary ${demo.url(CANARY.canary)}`);

    // Prometheus and PostgreSQL start side by side (each takes seconds).
    const [prometheus, postgres] = await Promise.all([
      startPrometheus({ targets: demo.targets }).then((p) => (stops.push(() => p.stop()), p)),
      startPostgres({ trustLoopback: true }).then((p) => (stops.push(() => p.stop()), p)),
    ]);
    log(`Prometheus: ${prometheus.url}`);
    const unleashStarted = startUnleash(postgres).then((u) => (stops.push(() => u.stop()), u));
    // Awaited below, after the orders are loaded; a failure meanwhile is not an unhandled rejection.
    unleashStarted.catch(() => {});
    const databaseUrl = await postgres.createDatabase('shop');
    const db = await postgres.connect('shop');
    try {
      await db.query(`CREATE TABLE orders (
        id bigint PRIMARY KEY, customer_id int NOT NULL, status text NOT NULL DEFAULT 'pending',
        old_payment_status text, created_at timestamptz NOT NULL DEFAULT now())`);
      await db.query(
        `INSERT INTO orders SELECT g, g % 5000, (ARRAY['pending','paid','shipped'])[1 + g % 3], (ARRAY['P','R','O'])[1 + g % 3], now() - g * interval '1 minute'
           FROM generate_series(1, ${options.orders ?? 200_000}) g`,
      );
      await db.query('VACUUM ANALYZE orders');
    } finally {
      await db.close();
    }
    // The editor gets the URL without the password: loopback logins are trusted in this local server.
    const passwordless = databaseUrl.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1@');
    log(`PostgreSQL: ${passwordless} (orders: ${options.orders ?? 200_000} rows)`);

    const unleash = await unleashStarted;
    await unleash.admin('POST', 'projects/default/features', { name: FLAG.key, description: 'Checkout v2 reads orders.new_payment_status' });
    const flag = pollUnleashFlag({ apiUrl: unleash.apiUrl, clientToken: await unleash.clientToken(FLAG.environment), flag: FLAG.key, intervalMs: 500 });
    stops.push(async () => flag.stop());
    await flag.ready;
    const orders = await postgres.connect('shop');
    stops.push(() => orders.close());
    const rows = options.orders ?? 200_000;
    demo.setFeature(CANARY.canary, {
      share: flag.share,
      // The new code path reads the column the plan's expand adds: before expand it fails, as a real deploy would.
      answer: async (newPath) => {
        const id = 1 + Math.floor(Math.random() * rows);
        const column = newPath ? 'new_payment_status' : 'old_payment_status';
        const result = await orders.query<{ status: string | null }>(`SELECT ${column} AS status FROM orders WHERE id = $1`, [id]);
        return `order ${id}: payment ${result.rows[0]?.status ?? 'NULL'} (${column})`;
      },
    });
    fs.appendFileSync(
      path.join(options.workspace, '.rollout-guard.yaml'),
      `\n# Written by the playground: its Unleash (the token is in ROLLOUT_GUARD_FLAGS_TOKEN, never here).\nflags:\n  provider: unleash\n  url: ${unleash.apiUrl}\n  environment: ${FLAG.environment}\n`,
    );
    log(`Unleash: ${unleash.apiUrl.replace(/\/api$/, '')} (flag ${FLAG.key}, off; v2 reads it)`);

    writeWorkspaceSettings(options.workspace, {
      'rolloutGuard.cluster.kubeconfig': kubeconfig,
      'rolloutGuard.cluster.namespaces': [CANARY.namespace],
      'rolloutGuard.gates.prometheusUrl': prometheus.url,
      // Short windows so a broken canary shows within seconds in the playground.
      'rolloutGuard.gates.interval': '10s',
      'rolloutGuard.migrations.databaseUrl': passwordless,
    });

    return {
      kubeconfig,
      prometheusUrl: prometheus.url,
      databaseUrl: passwordless,
      standIn,
      demo,
      traffic,
      prometheus,
      postgres,
      unleash,
      canaryWeight: () => liveWeights(standIn)[CANARY.canary] ?? 0,
      setCanary: (behaviour) => demo.set(CANARY.canary, behaviour),
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/** Merges settings into <workspace>/.vscode/settings.json. */
function writeWorkspaceSettings(workspace: string, settings: Record<string, unknown>): void {
  const file = path.join(workspace, '.vscode/settings.json');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const existing = fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>) : {};
  fs.writeFileSync(file, `${JSON.stringify({ ...existing, ...settings }, null, 2)}\n`);
}
