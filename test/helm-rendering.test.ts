/**
 * Helm charts rendered by the real helm (npm test's setup installs it under .cache/helm): the CLI
 * and the language server check what `helm template` makes of a chart, each finding on the
 * template line that wrote the value, with the values files .rollout-guard.yaml names. Modelled on
 * a `helm create` chart: a fullname helper, labels from _helpers.tpl, a ConfigMap behind a value.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { cli } from './helpers/cli';
import { repoRoot, rules, TestLspClient } from '../simulators/lsp-client';
import { temporaryTree } from '../simulators/temp';

const helmDir = path.join(repoRoot, '.cache/helm/bin');

function withHelm(): NodeJS.ProcessEnv {
  if (!fs.existsSync(path.join(helmDir, 'helm')))
    assert.fail(`helm is not installed: these tests run the real helm. Run \`node scripts/setup.mjs --for test\` (npm test does) to put it in ${helmDir}.`);
  return { ...process.env, PATH: `${helmDir}${path.delimiter}${process.env.PATH ?? ''}` };
}

/** The environment without helm: PATH lists only Node's own folder. */
const withoutHelm = (): NodeJS.ProcessEnv => ({ ...process.env, PATH: path.dirname(process.execPath) });

const CHART = {
  'charts/web/Chart.yaml': 'apiVersion: v2\nname: web\nversion: 1.2.0\nappVersion: "2.4.1"\n',
  'charts/web/values.yaml': ['replicaCount: 1', 'image:', '  repository: ghcr.io/acme/web', '  tag: "2.4.1"', 'settings:', '  enabled: false', ''].join('\n'),
  'charts/web/values-prod.yaml': ['replicaCount: 3', 'settings:', '  enabled: true', ''].join('\n'),
  'charts/web/templates/_helpers.tpl': [
    // helm create's fullname: the release name alone when it holds the chart's name.
    '{{- define "web.fullname" -}}',
    '{{- if contains .Chart.Name .Release.Name }}{{ .Release.Name }}{{ else }}{{ .Release.Name }}-{{ .Chart.Name }}{{ end }}',
    '{{- end }}',
    '{{- define "web.labels" -}}',
    'app.kubernetes.io/name: {{ .Chart.Name }}',
    'app.kubernetes.io/instance: {{ .Release.Name }}',
    '{{- end }}',
    '',
  ].join('\n'),
  'charts/web/templates/deployment.yaml': [
    'apiVersion: apps/v1', // 1
    'kind: Deployment',
    'metadata:',
    '  name: {{ include "web.fullname" . }}',
    '  labels:', // 5
    '    {{- include "web.labels" . | nindent 4 }}',
    'spec:',
    '  replicas: {{ .Values.replicaCount }}',
    '  strategy:',
    '    rollingUpdate:', // 10
    '      maxUnavailable: 1',
    '      maxSurge: 1',
    '  selector:',
    '    matchLabels:',
    '      {{- include "web.labels" . | nindent 6 }}', // 15
    '  template:',
    '    metadata:',
    '      labels:',
    '        {{- include "web.labels" . | nindent 8 }}',
    '    spec:', // 20
    '      terminationGracePeriodSeconds: 30',
    '      containers:',
    '        - name: web',
    '          image: "{{ .Values.image.repository }}:{{ .Values.image.tag }}"',
    '          ports:', // 25
    '            - name: http',
    '              containerPort: 8080',
    '          envFrom:',
    '            - configMapRef:',
    '                name: {{ include "web.fullname" . }}-settings', // 30
    '          readinessProbe:',
    '            httpGet: { path: /ready, port: http }',
    '          livenessProbe:',
    '            httpGet: { path: /healthz, port: http }',
    '          lifecycle:', // 35
    '            preStop:',
    '              exec: { command: ["sleep", "10"] }',
    '          resources:',
    '            requests: { cpu: 100m, memory: 128Mi }',
    '            limits: { memory: 128Mi }', // 40
    '',
  ].join('\n'),
  'charts/web/templates/service.yaml': [
    'apiVersion: v1',
    'kind: Service',
    'metadata:',
    '  name: {{ include "web.fullname" . }}',
    'spec:',
    '  selector:',
    '    {{- include "web.labels" . | nindent 4 }}',
    '  ports:',
    '    - port: 80',
    '      targetPort: http',
    '',
  ].join('\n'),
  'charts/web/templates/configmap.yaml': [
    '{{- if .Values.settings.enabled }}',
    'apiVersion: v1',
    'kind: ConfigMap',
    'metadata:',
    '  name: {{ include "web.fullname" . }}-settings',
    'data:',
    '  LOG_LEVEL: info',
    '{{- end }}',
    '',
  ].join('\n'),
  'charts/web/templates/pdb.yaml': [
    'apiVersion: policy/v1',
    'kind: PodDisruptionBudget',
    'metadata:',
    '  name: {{ include "web.fullname" . }}',
    'spec:',
    '  maxUnavailable: 1',
    '  selector:',
    '    matchLabels:',
    '      {{- include "web.labels" . | nindent 6 }}',
    '',
  ].join('\n'),
  // Outside the chart: an Ingress to the chart's Service (installed as `helm install web charts/web`), and a
  // Service selecting the chart's pods by their labels.
  'deploy/ingress.yaml': [
    'apiVersion: networking.k8s.io/v1',
    'kind: Ingress',
    'metadata:',
    '  name: web',
    'spec:',
    '  rules:',
    '    - http:',
    '        paths:',
    '          - path: /',
    '            pathType: Prefix',
    '            backend:',
    '              service: { name: web, port: { number: 80 } }',
    '',
  ].join('\n'),
  'deploy/public-service.yaml': [
    'apiVersion: v1',
    'kind: Service',
    'metadata:',
    '  name: web-public',
    'spec:',
    '  type: LoadBalancer',
    '  selector:',
    '    app.kubernetes.io/name: web',
    '  ports:',
    '    - port: 443',
    '      targetPort: 8080',
    '',
  ].join('\n'),
};

interface JsonFinding {
  file: string;
  rule: string;
  line: number;
  message: string;
}

const writeRepository = (files: Record<string, string>): string => temporaryTree('rg-helm-', files);

async function check(root: string, env: NodeJS.ProcessEnv): Promise<{ code: number; findings: JsonFinding[]; stderr: string }> {
  const run = await cli(['check', '.', '--format', 'json'], root, env);
  return { code: run.code, findings: (JSON.parse(run.stdout) as { findings: JsonFinding[] }).findings, stderr: run.stderr };
}

/** Findings other than the per-container advice the fixture does not try to satisfy. */
const shown = (findings: JsonFinding[]): string[] =>
  findings.filter((f) => f.rule !== 'missing-pod-disruption-budget').map((f) => `${f.file}:${f.line} ${f.rule}`);

describe('Helm charts rendered with helm template', () => {
  const roots: string[] = [];
  after(() => roots.forEach((root) => fs.rmSync(root, { recursive: true, force: true })));
  const repository = (files: Record<string, string>): string => {
    const root = writeRepository(files);
    roots.push(root);
    return root;
  };

  it('checks the rendered chart, each finding on the template line that wrote it, and no note on Chart.yaml', async () => {
    const { findings, stderr } = await check(repository(CHART), withHelm());
    assert.equal(stderr, '');
    // Default values: one replica that maxUnavailable 1 may stop, and a ConfigMap the chart only makes with settings.enabled.
    assert.deepEqual(shown(findings), [
      'charts/web/templates/deployment.yaml:11 unsafe-rolling-update',
      'charts/web/templates/deployment.yaml:30 dangling-config-reference',
    ]);
    const reference = findings.find((f) => f.rule === 'dangling-config-reference')!;
    // Released under the chart's name, as `helm install web charts/web`: the chart's Service is `web`, the Ingress's backend.
    assert.match(reference.message, /ConfigMap web-settings/);
    // The Service outside the chart selects the chart's pods: no dangling-service for it.
  });

  it('renders with the values files .rollout-guard.yaml names for the chart', async () => {
    const root = repository({
      ...CHART,
      '.rollout-guard.yaml': 'manifests:\n  charts:\n    - path: charts/web\n      values: [charts/web/values-prod.yaml]\n',
    });
    const { findings } = await check(root, withHelm());
    assert.deepEqual(shown(findings), []);
  });

  it('releases the chart under the name .rollout-guard.yaml gives', async () => {
    const root = repository({
      ...CHART,
      '.rollout-guard.yaml': 'manifests:\n  charts:\n    - { path: charts/web, release: shop-frontend, namespace: shop }\n',
    });
    const { findings } = await check(root, withHelm());
    const reference = findings.find((f) => f.rule === 'dangling-config-reference')!;
    assert.match(reference.message, /Deployment shop-frontend-web uses ConfigMap shop-frontend-web-settings, which is not in the workspace/);
    // The Ingress (no namespace written) names `web`, which that release does not create.
    assert.ok(findings.some((f) => f.file === 'deploy/ingress.yaml' && f.rule === 'unknown-destination-host'));
  });

  it('releases the chart as the Argo CD Application that deploys it does: release name, value files, inline values, parameters', async () => {
    const application = [
      'apiVersion: argoproj.io/v1alpha1',
      'kind: Application',
      'metadata: { name: storefront, namespace: argocd }',
      'spec:',
      '  project: default',
      '  destination: { server: https://kubernetes.default.svc, namespace: shop }',
      '  source:',
      '    repoURL: https://github.com/acme/deploy.git',
      '    path: charts/web',
      '    helm:',
      '      valueFiles: [values-prod.yaml]',
      '      values: |',
      '        settings:',
      '          enabled: false',
      '      parameters:',
      '        - { name: replicaCount, value: "1" }',
      '',
    ].join('\n');
    const { findings } = await check(repository({ ...CHART, 'argocd/storefront.yaml': application }), withHelm());
    // Files, then inline values, then parameters: values-prod.yaml's three replicas and ConfigMap are undone again.
    assert.deepEqual(shown(findings), [
      'charts/web/templates/deployment.yaml:11 unsafe-rolling-update',
      'charts/web/templates/deployment.yaml:30 dangling-config-reference',
      'deploy/ingress.yaml:12 unknown-destination-host',
    ]);
    assert.match(
      findings.find((f) => f.rule === 'unsafe-rolling-update')!.message,
      /Deployment storefront-web: maxUnavailable 1 lets the rollout stop all 1 replica/,
    );
  });

  it('an app of apps written as a chart: the Applications it renders release the charts they deploy', async () => {
    const apps = {
      'argocd/apps/Chart.yaml': 'apiVersion: v2\nname: apps\nversion: 0.1.0\n',
      'argocd/apps/values.yaml': 'release: storefront\n',
      'argocd/apps/templates/web.yaml': [
        'apiVersion: argoproj.io/v1alpha1',
        'kind: Application',
        'metadata: { name: web, namespace: argocd }',
        'spec:',
        '  destination: { server: https://kubernetes.default.svc, namespace: shop }',
        '  source:',
        '    repoURL: https://github.com/acme/deploy.git',
        '    path: charts/web',
        '    helm:',
        '      releaseName: {{ .Values.release }}',
        '',
      ].join('\n'),
    };
    const { findings } = await check(repository({ ...CHART, ...apps }), withHelm());
    assert.match(findings.find((f) => f.rule === 'unsafe-rolling-update')!.message, /Deployment storefront-web:/);
  });

  it('says on Chart.yaml what helm said when the chart does not render, and checks nothing else of it', async () => {
    const root = repository({ ...CHART, 'charts/web/templates/broken.yaml': 'kind: ConfigMap\nmetadata:\n  name: {{ include "web.missing" . }}\n' });
    const { findings } = await check(root, withHelm());
    assert.deepEqual(shown(findings), ['charts/web/Chart.yaml:2 helm-chart-not-rendered']);
    assert.match(findings[0]!.message, /helm template failed: .*no template "web\.missing"/);
  });

  it('without helm: one note on Chart.yaml, the chart unknown rather than missing', async () => {
    const { findings } = await check(repository(CHART), withoutHelm());
    assert.deepEqual(shown(findings), ['charts/web/Chart.yaml:2 helm-chart-not-rendered']);
    assert.match(findings[0]!.message, /helm is not installed/);
  });
});

describe('language server: Helm charts', () => {
  let root: string;
  const uri = (name: string): string => pathToFileURL(path.join(root, name)).href;
  before(() => (root = writeRepository(CHART)));
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  it('in a trusted workspace, publishes the rendered chart findings on the template, and renders again when a template is saved', async () => {
    const client = new TestLspClient(undefined, withHelm());
    try {
      const deployment = client.diagnostics(uri('charts/web/templates/deployment.yaml'), (p) => p.diagnostics.length > 0);
      await client.initialize(pathToFileURL(root).href, { workspaceTrusted: true });
      assert.deepEqual(rules((await deployment).diagnostics), ['unsafe-rolling-update@11', 'dangling-config-reference@30']);
      // Two lines typed at the top, not saved yet: the findings stay on the lines that wrote them.
      const template = uri('charts/web/templates/deployment.yaml');
      const moved = client.diagnostics(template, (p) => p.diagnostics.some((d) => d.code === 'unsafe-rolling-update' && d.range.start.line === 12));
      const text = fs.readFileSync(path.join(root, 'charts/web/templates/deployment.yaml'), 'utf8');
      await client.connection.sendNotification('textDocument/didOpen', { textDocument: { uri: template, languageId: 'helm', version: 1, text } });
      await client.connection.sendNotification('textDocument/didChange', {
        textDocument: { uri: template, version: 2 },
        contentChanges: [
          { range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: '# Deployment of the web app\n# (rolled by Argo CD)\n' },
        ],
      });
      assert.deepEqual(rules((await moved).diagnostics), ['unsafe-rolling-update@13', 'dangling-config-reference@32']);
      await client.connection.sendNotification('textDocument/didChange', {
        textDocument: { uri: template, version: 3 },
        contentChanges: [{ range: { start: { line: 0, character: 0 }, end: { line: 2, character: 0 } }, text: '' }],
      });
      await client.connection.sendNotification('textDocument/didClose', { textDocument: { uri: template } });
      // Saved with three replicas: helm renders the chart again, and maxUnavailable 1 of 3 is fine.
      const again = client.diagnostics(uri('charts/web/templates/deployment.yaml'), (p) => !p.diagnostics.some((d) => d.code === 'unsafe-rolling-update'));
      const file = path.join(root, 'charts/web/templates/deployment.yaml');
      fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('replicas: {{ .Values.replicaCount }}', 'replicas: 3'));
      await client.connection.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: uri('charts/web/templates/deployment.yaml'), type: 2 }] });
      assert.deepEqual(rules((await again).diagnostics), ['dangling-config-reference@30']);
    } finally {
      await client.stop();
    }
  });

  it('in an untrusted workspace, runs no helm: the note on Chart.yaml', async () => {
    const client = new TestLspClient(undefined, withHelm());
    try {
      const chart = client.diagnostics(uri('charts/web/Chart.yaml'));
      await client.initialize(pathToFileURL(root).href, { workspaceTrusted: false });
      assert.deepEqual(rules((await chart).diagnostics), ['helm-chart-not-rendered@2']);
    } finally {
      await client.stop();
    }
  });
});
