import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyManifestFix, expectManifestRanges, yaml } from '../../../../../test/helpers/manifests';

const deployment = (probe: string[]): string =>
  yaml(
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata:',
    '  name: checkout',
    'spec:',
    '  selector:',
    '    matchLabels: { app: checkout }',
    '  template:',
    '    metadata:',
    '      labels: { app: checkout }',
    '    spec:',
    '      containers:',
    '        - name: app',
    '          image: registry.example.com/checkout:1.4.2',
    '          ports:',
    '            - name: http',
    '              containerPort: 8080',
    ...probe,
  );

describe('missing-readiness-probe', () => {
  it('ok: a container with a readiness probe; a Job needs none', () => {
    expectManifestRanges(
      'missing-readiness-probe',
      {
        'deploy.yaml': deployment(['          readinessProbe:', '            httpGet: { path: /ready, port: http }']),
        // Istio's gateway chart: Istio's injection webhook fills in a container written with `image: auto`, probes included.
        'gateway.yaml': deployment([]).replaceAll('checkout', 'gateway').replace('image: registry.example.com/gateway:1.4.2', 'image: auto'),
        'job.yaml': yaml(
          'apiVersion: batch/v1',
          'kind: Job',
          'metadata: { name: migrate }',
          'spec:',
          '  template:',
          '    spec:',
          '      containers:',
          '        - name: migrate',
          '          image: migrate:1',
        ),
      },
      [],
    );
  });

  it('err: on the container name, for Deployments and Argo Rollouts that declare ports (no Service in the workspace to tell otherwise), with a fix on its port', () => {
    const text = deployment([]);
    const rollout = text.replace('apiVersion: apps/v1\nkind: Deployment', 'apiVersion: argoproj.io/v1alpha1\nkind: Rollout');
    const [finding] = expectManifestRanges('missing-readiness-probe', { 'deploy.yaml': text, 'rollout.yaml': rollout }, [
      'deploy.yaml 13:17-13:20',
      'rollout.yaml 13:17-13:20',
    ]);
    assert.match(
      finding!.message,
      /Container app of Deployment checkout has no readinessProbe, and it declares port http \(no Service of its namespace is in the workspace to tell otherwise\)/,
    );
    assert.equal(
      applyManifestFix(text, finding!.finding),
      deployment([
        '          readinessProbe:',
        '            tcpSocket:',
        '              port: http',
        '            periodSeconds: 5',
        '            failureThreshold: 3',
      ]),
    );
  });

  const service = (name: string, app: string): string =>
    yaml('apiVersion: v1', 'kind: Service', `metadata: { name: ${name} }`, 'spec:', `  selector: { app: ${app} }`, '  ports: [{ port: 80, targetPort: 8080 }]');

  /** A workload whose pods are labelled app=<name>, with the given container lines (at list-item indentation). */
  const workload = (kind: string, name: string, ...containerLines: string[]): string =>
    yaml(
      kind === 'Rollout' ? 'apiVersion: argoproj.io/v1alpha1' : 'apiVersion: apps/v1',
      `kind: ${kind}`,
      `metadata: { name: ${name} }`,
      'spec:',
      `  selector: { matchLabels: { app: ${name} } }`,
      '  template:',
      `    metadata: { labels: { app: ${name} } }`,
      '    spec:',
      '      containers:',
      ...containerLines,
    );

  it("ok: pods no Service selects where the workspace has Services (microservices-demo's loadgenerator), a node agent DaemonSet, a sidecar beside a probed server (with or without declared ports)", () => {
    expectManifestRanges(
      'missing-readiness-probe',
      {
        'frontend.yaml': [
          service('frontend', 'frontend'),
          workload(
            'Deployment',
            'frontend',
            '        - name: server',
            '          image: frontend:1',
            '          ports: [{ containerPort: 8080 }]',
            '          readinessProbe: { httpGet: { path: /_healthz, port: 8080 } }',
            '        - name: log-shipper',
            '          image: fluent-bit:3',
          ),
        ].join('---\n'),
        'loadgenerator.yaml': workload('Deployment', 'loadgenerator', '        - name: main', '          image: loadgenerator:1'),
        // No container declares ports: the probed one is the server, the Cloud SQL proxy beside it a sidecar.
        'history.yaml': [
          service('history', 'history'),
          workload(
            'Deployment',
            'history',
            '        - name: server',
            '          image: history:1',
            '          readinessProbe: { httpGet: { path: /ready, port: 8080 } }',
            '        - name: cloudsql-proxy',
            '          image: cloud-sql-proxy:2',
          ),
        ].join('---\n'),
        'worker.yaml': workload(
          'Deployment',
          'worker',
          '        - name: main',
          '          image: worker:1',
          '          ports: [{ name: metrics, containerPort: 9090 }]',
        ),
      },
      [],
    );
    // spire-agent: a DaemonSet with a port, and no Service in the workspace at all.
    expectManifestRanges(
      'missing-readiness-probe',
      {
        'agent.yaml': workload(
          'DaemonSet',
          'spire-agent',
          '        - name: spire-agent',
          '          image: spire-agent:1.9',
          '          ports: [{ containerPort: 8080 }]',
        ),
      },
      [],
    );
  });

  it('err: pods a Service selects (only their containers that declare ports), a Rollout that names its Services', () => {
    const found = expectManifestRanges(
      'missing-readiness-probe',
      {
        'details.yaml': [
          service('details', 'details'),
          workload(
            'Deployment',
            'details',
            '        - name: details',
            '          image: details:1',
            '          ports: [{ containerPort: 9080 }]',
            '        - name: log-shipper',
            '          image: fluent-bit:3',
          ),
        ].join('---\n'),
        'ratings.yaml': workload('Deployment', 'ratings', '        - name: ratings', '          image: ratings:1'),
        'ratings-svc.yaml': service('ratings', 'ratings'),
      },
      ['details.yaml 17:17-17:24', 'ratings.yaml 10:17-10:24'],
    );
    assert.match(
      found[0]!.message,
      /^Container details of Deployment details has no readinessProbe, and Service details selects its pods: a new pod receives traffic/,
    );
    assert.match(found[1]!.message, /^Container ratings of Deployment ratings has no readinessProbe, and Service ratings selects its pods/);
    const [routed] = expectManifestRanges(
      'missing-readiness-probe',
      {
        'rollout.yaml': workload('Rollout', 'cart', '        - name: cart', '          image: cart:2').replace(
          'spec:\n',
          'spec:\n  strategy: { canary: { canaryService: cart-canary, stableService: cart-stable } }\n',
        ),
      },
      ['rollout.yaml 11:17-11:21'],
    );
    assert.match(routed!.message, /has no readinessProbe, and its canaryService cart-canary sends traffic to it/);
  });
});
