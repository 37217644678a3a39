/**
 * The Kubernetes API stand-in follows the conventions the real client relies on, checked through
 * @kubernetes/client-node itself: discovery, list with resourceVersion and labelSelector, create,
 * PUT and PATCH preconditions (409), a failing JSON-patch test (422), strategic merge only for
 * built-in kinds (415), the status subresource, watch replay, 410 Gone, bookmarks, 401/403.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ApisApi, AppsV1Api, CoreV1Api, CustomObjectsApi, KubeConfig, PatchStrategy, setHeaderOptions, Watch } from '@kubernetes/client-node';
import { ClusterClient, readCanary, type ClusterError } from '../operations/cluster';
import { startStandIn, type KubernetesStandIn } from '../simulators/k8s-stand-in';
import { temporaryDirectory } from '../simulators/temp';

const SEED = `
apiVersion: v1
kind: Pod
metadata: { name: web-1, namespace: shop, labels: { app: web, tier: front } }
spec: { containers: [{ name: web, image: nginx:1.27 }] }
---
apiVersion: v1
kind: Pod
metadata: { name: db-1, namespace: shop, labels: { app: db } }
spec: { containers: [{ name: db, image: postgres:18 }] }
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: web, namespace: shop }
spec:
  replicas: 2
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec: { containers: [{ name: web, image: nginx:1.27 }] }
---
apiVersion: networking.istio.io/v1beta1
kind: VirtualService
metadata: { name: web, namespace: shop }
spec:
  hosts: [web]
  http:
  - route:
    - { destination: { host: web, subset: v1 }, weight: 90 }
    - { destination: { host: web, subset: v2 }, weight: 10 }
---
apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata: { name: web, namespace: shop }
spec:
  paused: true
  strategy: { canary: { steps: [{ setWeight: 20 }, { pause: {} }] } }
status: { currentStepIndex: 1, phase: Paused }
`;

const vsApi = { group: 'networking.istio.io', version: 'v1', namespace: 'shop', plural: 'virtualservices' };

/** The HTTP status and Status body of a failed client call. */
async function failure(call: Promise<unknown>): Promise<{ code: number; body: { kind?: string; reason?: string; message?: string; code?: number } }> {
  try {
    await call;
  } catch (error) {
    const e = error as { code: number; body: unknown };
    return { code: e.code, body: typeof e.body === 'string' ? JSON.parse(e.body) : (e.body as object) };
  }
  assert.fail('the call succeeded');
}

function clientFor(standIn: KubernetesStandIn, dir: string, token?: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(standIn.writeKubeconfig(dir, { token, fileName: `kubeconfig-${token ?? 'admin'}` }));
  return kc;
}

describe('Kubernetes API stand-in through @kubernetes/client-node', () => {
  let standIn: KubernetesStandIn;
  let dir: string;
  let kc: KubeConfig;

  before(async () => {
    dir = temporaryDirectory('rg-k8s-');
    standIn = await startStandIn({ seed: [SEED] });
    kc = clientFor(standIn, dir);
  });
  after(async () => {
    await standIn.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('serves discovery: groups with preferred versions and resource lists with the status subresource', async () => {
    const groups = await kc.makeApiClient(ApisApi).getAPIVersions();
    const istio = groups.groups.find((g) => g.name === 'networking.istio.io');
    assert.equal(istio?.preferredVersion?.version, 'v1');
    assert.deepEqual(
      istio?.versions.map((v) => v.version),
      ['v1', 'v1beta1', 'v1alpha3'],
    );
    const argo = await kc.makeApiClient(CustomObjectsApi).getAPIResources({ group: 'argoproj.io', version: 'v1alpha1' });
    assert.deepEqual(
      argo.resources.map((r) => r.name),
      ['rollouts', 'rollouts/status', 'analysistemplates'],
    );
    const missing = await failure(kc.makeApiClient(CustomObjectsApi).getAPIResources({ group: 'argoproj.io', version: 'v1' }));
    assert.equal(missing.code, 404);
  });

  it('does not serve the Argo CRDs when they are not installed', async () => {
    const bare = await startStandIn({ argoRollouts: false });
    try {
      const groups = await clientFor(bare, dir).makeApiClient(ApisApi).getAPIVersions();
      assert.ok(!groups.groups.some((g) => g.name === 'argoproj.io'));
      assert.ok(groups.groups.some((g) => g.name === 'networking.istio.io'));
    } finally {
      await bare.stop();
    }
  });

  it('lists with a label selector and the list resourceVersion; a VirtualService stored as v1beta1 is served as v1', async () => {
    const core = kc.makeApiClient(CoreV1Api);
    const pods = await core.listNamespacedPod({ namespace: 'shop', labelSelector: 'app in (web,cache),tier' });
    assert.deepEqual(
      pods.items.map((p) => p.metadata?.name),
      ['web-1'],
    );
    assert.equal(pods.metadata?.resourceVersion, standIn.resourceVersion);
    const none = await core.listNamespacedPod({ namespace: 'shop', labelSelector: 'app!=web,app!=db' });
    assert.equal(none.items.length, 0);
    const vs = (await kc.makeApiClient(CustomObjectsApi).getNamespacedCustomObject({ ...vsApi, name: 'web' })) as { apiVersion: string };
    assert.equal(vs.apiVersion, 'networking.istio.io/v1');
  });

  it('creates objects; a second create is 409 AlreadyExists, a missing namespace 404', async () => {
    const core = kc.makeApiClient(CoreV1Api);
    const created = await core.createNamespacedConfigMap({ namespace: 'shop', body: { metadata: { name: 'settings' }, data: { a: '1' } } });
    assert.ok(created.metadata?.resourceVersion);
    assert.ok(created.metadata?.uid);
    const again = await failure(core.createNamespacedConfigMap({ namespace: 'shop', body: { metadata: { name: 'settings' } } }));
    assert.equal(again.code, 409);
    assert.equal(again.body.reason, 'AlreadyExists');
    const nowhere = await failure(core.createNamespacedConfigMap({ namespace: 'nowhere', body: { metadata: { name: 'x' } } }));
    assert.equal(nowhere.code, 404);
    assert.match(nowhere.body.message ?? '', /namespaces "nowhere" not found/);
  });

  it('rejects a PUT with a stale resourceVersion with a 409 Conflict Status', async () => {
    const custom = kc.makeApiClient(CustomObjectsApi);
    const vs = (await custom.getNamespacedCustomObject({ ...vsApi, name: 'web' })) as { metadata: { resourceVersion: string }; spec: { hosts: string[] } };
    const stale = structuredClone(vs);
    vs.spec.hosts = ['web', 'web.shop'];
    const replaced = (await custom.replaceNamespacedCustomObject({ ...vsApi, name: 'web', body: vs })) as { metadata: { resourceVersion: string } };
    assert.notEqual(replaced.metadata.resourceVersion, stale.metadata.resourceVersion);
    const conflict = await failure(custom.replaceNamespacedCustomObject({ ...vsApi, name: 'web', body: stale }));
    assert.equal(conflict.code, 409);
    assert.equal(conflict.body.kind, 'Status');
    assert.equal(conflict.body.reason, 'Conflict');
    assert.match(conflict.body.message ?? '', /the object has been modified/);
  });

  it('applies JSON patches; a failing test operation is 422 and changes nothing', async () => {
    const custom = kc.makeApiClient(CustomObjectsApi);
    const before_ = (await custom.getNamespacedCustomObject({ ...vsApi, name: 'web' })) as { metadata: { resourceVersion: string } };
    const failed = await failure(
      custom.patchNamespacedCustomObject({
        ...vsApi,
        name: 'web',
        body: [
          { op: 'test', path: '/metadata/resourceVersion', value: '1' },
          { op: 'replace', path: '/spec/http/0/route/0/weight', value: 50 },
        ],
      }),
    );
    assert.equal(failed.code, 422);
    assert.match(failed.body.message ?? '', /testing value \/metadata\/resourceVersion failed/);
    const unchanged = (await custom.getNamespacedCustomObject({ ...vsApi, name: 'web' })) as { metadata: { resourceVersion: string } };
    assert.equal(unchanged.metadata.resourceVersion, before_.metadata.resourceVersion);
    const patched = (await custom.patchNamespacedCustomObject({
      ...vsApi,
      name: 'web',
      body: [
        { op: 'test', path: '/metadata/resourceVersion', value: before_.metadata.resourceVersion },
        { op: 'replace', path: '/spec/http/0/route/0/weight', value: 80 },
        { op: 'replace', path: '/spec/http/0/route/1/weight', value: 20 },
      ],
    })) as { spec: { http: { route: { weight: number }[] }[] } };
    assert.deepEqual(
      patched.spec.http[0]!.route.map((r) => r.weight),
      [80, 20],
    );
  });

  it('applies merge patches, and a merge patch carrying an old resourceVersion is a 409', async () => {
    const custom = kc.makeApiClient(CustomObjectsApi);
    const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
    const labelled = (await custom.patchNamespacedCustomObject({ ...vsApi, name: 'web', body: { metadata: { labels: { team: 'shop' } } } }, merge)) as {
      metadata: { labels: Record<string, string> };
    };
    assert.deepEqual(labelled.metadata.labels, { team: 'shop' });
    const conflict = await failure(
      custom.patchNamespacedCustomObject({ ...vsApi, name: 'web', body: { metadata: { resourceVersion: '2', labels: null } } }, merge),
    );
    assert.equal(conflict.code, 409);
  });

  it('takes strategic merge patches for Deployments but answers 415 for custom resources', async () => {
    const apps = kc.makeApiClient(AppsV1Api);
    const scaled = await apps.patchNamespacedDeployment(
      { namespace: 'shop', name: 'web', body: { spec: { replicas: 3 } } },
      setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
    );
    assert.equal(scaled.spec?.replicas, 3);
    assert.equal(scaled.metadata?.generation, 2);
    const refused = await failure(
      kc
        .makeApiClient(CustomObjectsApi)
        .patchNamespacedCustomObject({ ...vsApi, name: 'web', body: { spec: {} } }, setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch)),
    );
    assert.equal(refused.code, 415);
  });

  it('keeps status and spec apart for Rollouts (status subresource)', async () => {
    const custom = kc.makeApiClient(CustomObjectsApi);
    const ro = { group: 'argoproj.io', version: 'v1alpha1', namespace: 'shop', plural: 'rollouts', name: 'web' };
    const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
    const viaStatus = (await custom.patchNamespacedCustomObjectStatus({ ...ro, body: { spec: { paused: false }, status: { abort: true } } }, merge)) as {
      spec: { paused: boolean };
      status: { abort: boolean; phase: string };
    };
    assert.equal(viaStatus.status.abort, true);
    assert.equal(viaStatus.status.phase, 'Paused');
    assert.equal(viaStatus.spec.paused, true, 'a /status write leaves spec alone');
    const viaObject = (await custom.patchNamespacedCustomObject({ ...ro, body: { spec: { paused: false }, status: { abort: false } } }, merge)) as {
      spec: { paused: boolean };
      status: { abort: boolean };
    };
    assert.equal(viaObject.spec.paused, false);
    assert.equal(viaObject.status.abort, true, 'a write to the object leaves status alone');
    const noStatus = await failure(custom.patchNamespacedCustomObjectStatus({ ...vsApi, name: 'web', body: { status: {} } }, merge));
    assert.equal(noStatus.code, 404);
  });

  it('streams watch events from a resourceVersion, bookmarks on request, and 410 Gone once compacted', async () => {
    const core = kc.makeApiClient(CoreV1Api);
    const list = await core.listNamespacedConfigMap({ namespace: 'shop' });
    const events: { type: string; name?: string; rv?: string }[] = [];
    let seen: () => void = () => {};
    const watch = new Watch(kc);
    const controller = await watch.watch(
      '/api/v1/namespaces/shop/configmaps',
      { resourceVersion: list.metadata?.resourceVersion, allowWatchBookmarks: true },
      (type, object: { metadata?: { name?: string; resourceVersion?: string } }) => {
        events.push({ type, name: object.metadata?.name, rv: object.metadata?.resourceVersion });
        seen();
      },
      () => {},
    );
    const until = (n: number): Promise<void> =>
      new Promise((resolve) => {
        seen = () => events.length >= n && resolve();
        seen();
      });
    await core.createNamespacedConfigMap({ namespace: 'shop', body: { metadata: { name: 'watched' } } });
    await core.deleteNamespacedConfigMap({ namespace: 'shop', name: 'watched' });
    await until(2);
    standIn.sendBookmarks();
    await until(3);
    controller.abort();
    assert.deepEqual(
      events.map((e) => [e.type, e.name]),
      [
        ['ADDED', 'watched'],
        ['DELETED', 'watched'],
        ['BOOKMARK', undefined],
      ],
    );
    assert.equal(events[2]!.rv, standIn.resourceVersion);

    standIn.compact();
    const gone = await new Promise<{ type: string; code?: number }>((resolve) => {
      void watch.watch(
        '/api/v1/namespaces/shop/configmaps',
        { resourceVersion: list.metadata?.resourceVersion },
        (type, object: { code?: number }) => resolve({ type, code: object.code }),
        () => {},
      );
    });
    assert.deepEqual(gone, { type: 'ERROR', code: 410 });
  });

  it('serves HTTPS with a self-signed certificate that the kubeconfig carries as its CA', async () => {
    const secure = await startStandIn({ tls: true, seed: [SEED] });
    try {
      assert.match(secure.url, /^https:\/\/127\.0\.0\.1:\d+$/);
      const file = secure.writeKubeconfig(dir, { fileName: 'tls' });
      const trusted = new KubeConfig();
      trusted.loadFromFile(file);
      const pods = await trusted.makeApiClient(CoreV1Api).listNamespacedPod({ namespace: 'shop' });
      assert.equal(pods.items.length, 2);
      // Without the CA the client refuses the certificate: the cluster is unreachable, with the reason.
      const config = JSON.parse(fs.readFileSync(file, 'utf8')) as { clusters: { cluster: Record<string, unknown> }[] };
      delete config.clusters[0]!.cluster['certificate-authority-data'];
      const untrustedFile = path.join(dir, 'tls-no-ca');
      fs.writeFileSync(untrustedFile, JSON.stringify(config));
      const client = ClusterClient.fromKubeconfig({ kubeconfig: untrustedFile });
      await assert.rejects(readCanary(client, 'shop/web'), (error: ClusterError) => {
        assert.equal(error.kind, 'unreachable');
        assert.match(error.message, new RegExp(`cannot reach the Kubernetes API server ${secure.url.replace(/\./g, '\\.')} \\(.*certificate`));
        return true;
      });
    } finally {
      await secure.stop();
    }
  });

  it('answers 401 without a known token and 403 naming the verb and resource', async () => {
    const guarded = await startStandIn({ seed: [SEED], users: { reader: { name: 'reader', rules: [{ verbs: ['get', 'list', 'watch'], resources: '*' }] } } });
    try {
      const anonymous = await failure(clientFor(guarded, dir).makeApiClient(CoreV1Api).listNamespacedPod({ namespace: 'shop' }));
      assert.equal(anonymous.code, 401);
      const reader = clientFor(guarded, dir, 'reader').makeApiClient(CustomObjectsApi);
      assert.ok(await reader.getNamespacedCustomObject({ ...vsApi, name: 'web' }));
      const denied = await failure(reader.patchNamespacedCustomObject({ ...vsApi, name: 'web', body: [] }));
      assert.equal(denied.code, 403);
      assert.equal(denied.body.reason, 'Forbidden');
      assert.match(
        denied.body.message ?? '',
        /User "reader" cannot patch resource "virtualservices" in API group "networking.istio.io" in the namespace "shop"/,
      );
    } finally {
      await guarded.stop();
    }
  });
});

/** The parts of an API answer these tests read. */
interface Answer {
  status: number;
  body: {
    message: string;
    reason?: string;
    metadata: { name: string };
    status: { allowed: boolean };
    details: { causes: { field: string }[] };
  };
}

describe('Kubernetes API stand-in: access reviews, server-side apply and dryRun=All', () => {
  const DEPLOYMENT = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'api', namespace: 'shop' },
    spec: {
      selector: { matchLabels: { app: 'api' } },
      template: { metadata: { labels: { app: 'api' } }, spec: { containers: [{ name: 'app', image: 'api:1' }] } },
    },
  };
  const request = async (standIn: KubernetesStandIn, method: string, url: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> => {
    const response = await fetch(`${standIn.url}${url}`, {
      method,
      headers: { 'content-type': 'application/json', ...headers },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Answer['body'] };
  };
  const apply = (standIn: KubernetesStandIn, object: unknown, query: string, token?: string): Promise<Answer> =>
    request(standIn, 'PATCH', `/apis/apps/v1/namespaces/shop/deployments/api?${query}`, object, {
      'content-type': 'application/apply-patch+yaml',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    });

  it('SelfSubjectAccessReview answers from the rules of the caller (201, status.allowed)', async () => {
    const standIn = await startStandIn({ users: { t: { name: 'no-secrets', rules: [{ verbs: ['list'], resources: ['configmaps'], namespaces: ['shop'] }] } } });
    try {
      const review = (resource: string, namespace: string): Promise<Answer> =>
        request(
          standIn,
          'POST',
          '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews',
          { kind: 'SelfSubjectAccessReview', apiVersion: 'authorization.k8s.io/v1', spec: { resourceAttributes: { verb: 'list', resource, namespace } } },
          { authorization: 'Bearer t' },
        );
      const allowed = await review('configmaps', 'shop');
      assert.equal(allowed.status, 201);
      assert.equal(allowed.body.status.allowed, true);
      assert.equal((await review('secrets', 'shop')).body.status.allowed, false);
      assert.equal((await review('configmaps', 'prod')).body.status.allowed, false);
      const anonymous = await request(standIn, 'POST', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', {
        spec: { resourceAttributes: { verb: 'list', resource: 'secrets' } },
      });
      assert.equal(anonymous.status, 401);
    } finally {
      await standIn.stop();
    }
  });

  it('server-side apply creates an object; fieldManager is required; dryRun=All validates and stores nothing', async () => {
    const standIn = await startStandIn({ quotas: [{ namespace: 'shop', kind: 'Deployment', max: 1 }] });
    try {
      standIn.seed('apiVersion: v1\nkind: Namespace\nmetadata: { name: shop }\n');
      assert.equal((await apply(standIn, DEPLOYMENT, '')).status, 400);
      assert.match((await apply(standIn, DEPLOYMENT, '')).body.message, /fieldManager is required for apply requests/);
      assert.equal((await apply(standIn, DEPLOYMENT, 'fieldManager=t&dryRun=Some')).status, 400);
      const events = standIn.events.length;
      const preview = await apply(standIn, DEPLOYMENT, 'fieldManager=t&dryRun=All');
      assert.equal(preview.status, 201);
      assert.equal(preview.body.metadata.name, 'api');
      assert.equal(standIn.object('Deployment', 'shop', 'api'), undefined);
      assert.equal(standIn.events.length, events);
      assert.equal((await apply(standIn, DEPLOYMENT, 'fieldManager=t')).status, 201);
      // Immutable selector: 422 with the field, dry run or not.
      const moved = { ...DEPLOYMENT, spec: { ...DEPLOYMENT.spec, selector: { matchLabels: { app: 'other' } } } };
      const invalid = await apply(standIn, moved, 'fieldManager=t&dryRun=All');
      assert.equal(invalid.status, 422);
      assert.equal(invalid.body.reason, 'Invalid');
      assert.equal(invalid.body.details.causes[0]!.field, 'spec.selector');
      // Required field.
      const empty = await request(standIn, 'POST', '/apis/apps/v1/namespaces/shop/deployments?dryRun=All', {
        ...DEPLOYMENT,
        metadata: { name: 'b' },
        spec: { template: { spec: {} } },
      });
      assert.equal(empty.status, 422);
      assert.match(empty.body.message, /spec\.template\.spec\.containers: Required value/);
      // Quota: a second Deployment in shop is over count/deployments.apps=1.
      const over = await request(standIn, 'POST', '/apis/apps/v1/namespaces/shop/deployments?dryRun=All', { ...DEPLOYMENT, metadata: { name: 'c' } });
      assert.equal(over.status, 403);
      assert.match(
        over.body.message,
        /exceeded quota: stand-in-quota, requested: count\/deployments\.apps=1, used: count\/deployments\.apps=1, limited: count\/deployments\.apps=1/,
      );
    } finally {
      await standIn.stop();
    }
  });

  it('an admission policy denies with 403, dry runs included', async () => {
    const standIn = await startStandIn({ admission: (o) => ((o.metadata as { labels?: object }).labels ? undefined : 'every object needs labels') });
    try {
      standIn.seed('apiVersion: v1\nkind: Namespace\nmetadata: { name: shop, labels: { a: b } }\n');
      const denied = await apply(standIn, DEPLOYMENT, 'fieldManager=t&dryRun=All');
      assert.equal(denied.status, 403);
      assert.match(denied.body.message, /admission webhook "policy\.stand-in\.local" denied the request: every object needs labels/);
    } finally {
      await standIn.stop();
    }
  });
});
