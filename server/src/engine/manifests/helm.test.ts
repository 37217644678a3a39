import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { alignLines, applicationRelease, RenderedTemplate, renderedTemplates } from './helm';
import { parseYamlFile, type ManifestObject } from './yaml';

// helm template's output as helm 3 writes it: documents grouped by kind (a template's documents
// need not be next to each other), each after `---` and its `# Source:`.
const OUTPUT = [
  '---',
  '# Source: web/templates/service.yaml',
  'apiVersion: v1',
  'kind: Service',
  'metadata:',
  '  name: release-name-web',
  '---',
  '# Source: web/charts/redis/templates/service.yaml',
  'apiVersion: v1',
  'kind: Service',
  'metadata:',
  '  name: release-name-redis',
  '---',
  '# Source: web/templates/service.yaml',
  'apiVersion: v1',
  'kind: Service',
  'metadata:',
  '  name: release-name-web-headless',
  '',
].join('\n');

describe('helm template output', () => {
  it('is split by the template each document came from, as paths in the chart folder (subcharts below charts/)', () => {
    const templates = renderedTemplates('/r/charts/web', OUTPUT);
    assert.deepEqual([...templates.keys()], ['/r/charts/web/templates/service.yaml', '/r/charts/web/charts/redis/templates/service.yaml']);
    assert.equal(
      templates.get('/r/charts/web/templates/service.yaml'),
      'apiVersion: v1\nkind: Service\nmetadata:\n  name: release-name-web\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: release-name-web-headless\n',
    );
  });
});

describe('rendered lines matched to template lines', () => {
  const template = [
    'apiVersion: apps/v1', // 0
    'kind: Deployment',
    'metadata:',
    '  name: {{ include "web.fullname" . }}',
    '  labels:',
    '    {{- include "web.labels" . | nindent 4 }}', // 5
    'spec:',
    '  {{- if not .Values.autoscaling.enabled }}',
    '  replicas: {{ .Values.replicaCount }}',
    '  {{- end }}',
    '  template:', // 10
    '    spec:',
    '      containers:',
    '        - name: {{ .Chart.Name }}',
    '          image: "{{ .Values.image.repository }}"',
  ];
  const rendered = [
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata:',
    '  name: release-name-web',
    '  labels:',
    '    app.kubernetes.io/name: web', // from the include
    '    app.kubernetes.io/instance: release-name',
    'spec:',
    '  replicas: 2',
    '  template:',
    '    spec:',
    '      containers:',
    '        - name: web',
    '          image: "ghcr.io/acme/web"',
  ];

  it('by text, then by key; a line no template line wrote keeps the line before it (the include)', () => {
    assert.deepEqual(alignLines(rendered, template), [0, 1, 2, 3, 4, 4, 4, 6, 8, 10, 11, 12, 13, 14]);
  });

  it('places a finding on the written text of its template line, without fixes', () => {
    const placement = new RenderedTemplate(rendered.join('\n'), template.join('\n'));
    const at = rendered.join('\n').indexOf('replicas: 2');
    const placed = placement.place({ rule: 'r', severity: 'warning', start: at, end: at + 11, message: 'm', fixes: [{ title: 'x', edits: [] }] });
    const text = template.join('\n');
    assert.equal(text.slice(placed.start, placed.end), 'replicas: {{ .Values.replicaCount }}');
    assert.equal(placed.fixes, undefined);
    assert.deepEqual(placement.templatePosition(at), { line: 8, character: 2 });
  });
});

describe('the Argo CD Application that deploys a chart', () => {
  const app = (name: string, path: string, helm = ''): ManifestObject[] =>
    parseYamlFile(
      `/r/argocd/${name}.yaml`,
      [
        'apiVersion: argoproj.io/v1alpha1',
        'kind: Application',
        `metadata: { name: ${name} }`,
        'spec:',
        '  destination: { namespace: shop }',
        '  source:',
        `    path: ${path}`,
        helm,
        '',
      ].join('\n'),
    ).objects;

  it('gives its release: releaseName (else its name), namespace, value files, values, parameters', () => {
    const helm = [
      '    helm:',
      '      releaseName: storefront',
      '      valueFiles: [values-prod.yaml]',
      '      valuesObject: { replicaCount: 3 }',
      '      parameters: [{ name: image.tag, value: "2.5" }, { name: note, value: "007", forceString: true }]',
    ].join('\n');
    assert.deepEqual(applicationRelease(app('web-prod', 'charts/web', helm), '/r/charts/web'), {
      application: 'web-prod',
      release: 'storefront',
      namespace: 'shop',
      valueFiles: ['values-prod.yaml'],
      values: '{"replicaCount":3}',
      parameters: [
        { name: 'image.tag', value: '2.5', forceString: false },
        { name: 'note', value: '007', forceString: true },
      ],
      ignoreMissingValueFiles: false,
    });
    assert.equal(applicationRelease(app('web', './charts/web/'), '/r/charts/web')?.release, 'web');
  });

  it('none when no Application deploys the folder, or several do (no one release is the chart’s)', () => {
    assert.equal(applicationRelease(app('api', 'charts/api'), '/r/charts/web'), undefined);
    assert.equal(applicationRelease([...app('web-dev', 'charts/web'), ...app('web-prod', 'charts/web')], '/r/charts/web'), undefined);
  });
});
