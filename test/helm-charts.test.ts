/**
 * Helm charts without helm (modelled on podinfo's charts/podinfo beside its deploy/ manifests):
 * the chart is one note on its Chart.yaml; its templates (plain or not) and values are not
 * manifests; references elsewhere to names the chart may create are unknown, not missing, while
 * references to other names are still reported.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManifestWorkspace } from '../server/src/engine';
import { lintWorkspace } from './helpers/manifests';

const chart: Record<string, string> = {
  '/r/charts/podinfo/Chart.yaml': 'apiVersion: v1\nversion: 6.7.0\nappVersion: 6.7.0\nname: podinfo\ndescription: Podinfo Helm chart for Kubernetes\n',
  '/r/charts/podinfo/values.yaml': 'replicaCount: 1\nimage:\n  repository: ghcr.io/stefanprodan/podinfo\n  tag: 6.7.0\n',
  '/r/charts/podinfo/values-prod.yaml': 'replicaCount: 3\n',
  '/r/charts/podinfo/templates/service.yaml':
    'apiVersion: v1\nkind: Service\nmetadata:\n  name: {{ template "podinfo.fullname" . }}\nspec:\n  selector:\n    app: {{ template "podinfo.fullname" . }}\n',
  // No {{ }}: still a template helm renders with the chart, not a manifest of the workspace.
  '/r/charts/podinfo/templates/redis/config.yaml':
    'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: redis-settings\ndata:\n  redis.conf: |\n    maxmemory 64mb\n',
  // crds/ is applied as written: a manifest.
  '/r/charts/podinfo/crds/crd.yaml': 'apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: canaries.flagger.app\n',
};

const service = (name: string, app: string): string =>
  `apiVersion: v1\nkind: Service\nmetadata:\n  name: ${name}\nspec:\n  selector:\n    app: ${app}\n  ports:\n    - port: 80\n`;

const deployment = (configMaps: string[]): string =>
  [
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata:',
    '  name: frontend',
    'spec:',
    '  selector: { matchLabels: { app: frontend } }',
    '  template:',
    '    metadata: { labels: { app: frontend } }',
    '    spec:',
    '      containers:',
    '        - name: web',
    '          image: nginx:1.27',
    '          envFrom:',
    ...configMaps.map((name) => `            - configMapRef: { name: ${name} }`),
    '',
  ].join('\n');

const deploy: Record<string, string> = {
  // The chart's Service name and pod labels are its fullname: podinfo, or <release>-podinfo.
  '/r/deploy/podinfo-service.yaml': service('podinfo-public', 'podinfo'),
  // Names the chart may create (its name as prefix, a literal in a template) and one it does not.
  '/r/deploy/frontend.yaml': deployment(['podinfo-redis', 'redis-settings', 'frontend-config']),
  '/r/deploy/backend-service.yaml': service('backend', 'backend'),
};

const dangling = (findings: ReturnType<typeof lintWorkspace>): string[] =>
  findings.filter((f) => !/^(missing-|latest-)/.test(f.rule)).map((f) => `${f.file} ${f.range} ${f.rule}`);

describe('a Helm chart, not rendered', () => {
  it('one note on Chart.yaml; templates and values not checked; only references the chart cannot explain reported', () => {
    const findings = lintWorkspace({ ...chart, ...deploy });
    assert.deepEqual(dangling(findings), [
      '/r/charts/podinfo/Chart.yaml 4:7-4:14 helm-chart-not-rendered',
      '/r/deploy/frontend.yaml 16:37-16:52 dangling-config-reference',
      '/r/deploy/backend-service.yaml 6:3-6:11 dangling-service',
    ]);
    assert.match(findings[0]!.message, /Helm chart podinfo was not rendered/);
  });

  it('without Chart.yaml the folder is plain manifests again: its objects count, the references to podinfo are missing', () => {
    const withoutChart = Object.fromEntries(Object.entries({ ...chart, ...deploy }).filter(([file]) => !file.endsWith('Chart.yaml')));
    const found = dangling(lintWorkspace(withoutChart));
    assert.ok(found.includes('/r/charts/podinfo/templates/service.yaml 1:1-1:15 template-skipped'), found.join('\n'));
    assert.ok(found.includes('/r/deploy/podinfo-service.yaml 6:3-6:11 dangling-service'), found.join('\n'));
    assert.ok(found.includes('/r/deploy/frontend.yaml 14:37-14:50 dangling-config-reference'), found.join('\n'));
    // redis-settings is a plain ConfigMap again: it exists.
    assert.ok(!found.includes('/r/deploy/frontend.yaml 15:37-15:51 dangling-config-reference'), found.join('\n'));
  });

  it("the chart's files are not workspace objects", () => {
    const workspace = new ManifestWorkspace();
    for (const [file, text] of Object.entries({ ...chart, ...deploy })) workspace.update(file, text);
    assert.equal(workspace.index().get('ConfigMap'), undefined);
    assert.deepEqual(
      workspace
        .index()
        .get('CustomResourceDefinition')!
        .map((o) => o.name),
      ['canaries.flagger.app'],
    );
    assert.deepEqual(
      workspace
        .index()
        .get('Service')!
        .map((o) => o.name),
      ['podinfo-public', 'backend'],
    );
  });

  it("an HPA scaling the chart's workload and a DestinationRule subset of its pods are unknown, not missing", () => {
    const hpa = (target: string): string =>
      `apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata:\n  name: ${target}\nspec:\n  scaleTargetRef: { apiVersion: apps/v1, kind: Deployment, name: ${target} }\n  minReplicas: 2\n  maxReplicas: 4\n`;
    const destinationRule = (host: string): string =>
      `apiVersion: networking.istio.io/v1beta1\nkind: DestinationRule\nmetadata:\n  name: ${host}\nspec:\n  host: ${host}\n  subsets:\n    - name: canary\n      labels: { version: v2 }\n`;
    const files = {
      ...chart,
      ...deploy,
      '/r/deploy/hpa.yaml': hpa('podinfo'),
      '/r/deploy/hpa-backend.yaml': hpa('backend'),
      '/r/deploy/podinfo-dr.yaml': destinationRule('podinfo-public'),
      '/r/deploy/frontend-dr.yaml': destinationRule('frontend'),
      '/r/deploy/frontend-service.yaml': service('frontend', 'frontend'),
    };
    const found = lintWorkspace(files)
      .filter((f) => f.rule === 'hpa-replicas-conflict' || f.rule === 'subset-selects-no-pods')
      .map((f) => `${f.file} ${f.rule}`);
    // backend and frontend's pods are the workspace's to describe: still reported.
    assert.deepEqual(found, ['/r/deploy/hpa-backend.yaml hpa-replicas-conflict', '/r/deploy/frontend-dr.yaml subset-selects-no-pods']);
  });
});
