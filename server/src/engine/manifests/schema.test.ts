import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { hasSchema, validateAgainstSchema, type SchemaProblem } from './schema';

// The test bundle runs from out/test; the corpora are in ../shared/corpus beside the repository.
const corpus = path.resolve(__dirname, '../..', '../shared/corpus');

type Json = Record<string, unknown>;

const validate = (object: Json): SchemaProblem[] => validateAgainstSchema(String(object.apiVersion), String(object.kind), object);
const brief = (problems: SchemaProblem[]) => problems.map((p) => ({ rule: p.rule, path: p.path.join('.'), on: p.on }));

function deployment(): Json {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'reviews-v1', namespace: 'shop', labels: { app: 'reviews', version: 'v1' }, annotations: { 'team.example.com/owner': 'books' } },
    spec: {
      replicas: 3,
      revisionHistoryLimit: 5,
      selector: { matchLabels: { app: 'reviews', version: 'v1' } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: 0 } },
      template: {
        metadata: { labels: { app: 'reviews', version: 'v1' }, creationTimestamp: null },
        spec: {
          serviceAccountName: 'bookinfo-reviews',
          terminationGracePeriodSeconds: 45,
          containers: [
            {
              name: 'reviews',
              image: 'docker.io/istio/examples-bookinfo-reviews-v1:1.20.2',
              imagePullPolicy: 'IfNotPresent',
              args: ['--port', '9080'],
              env: [
                { name: 'LOG_DIR', value: '/tmp/logs' },
                { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
              ],
              ports: [{ name: 'http', containerPort: 9080, protocol: 'TCP' }],
              readinessProbe: { httpGet: { path: '/health', port: 'http' }, periodSeconds: 5, failureThreshold: 3 },
              livenessProbe: { tcpSocket: { port: 9080 }, initialDelaySeconds: 10 },
              lifecycle: { preStop: { exec: { command: ['sh', '-c', 'sleep 10'] } } },
              resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: 0.5, memory: '256Mi' } },
              securityContext: { runAsNonRoot: true, runAsUser: 1000, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
              volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
            },
          ],
          volumes: [{ name: 'tmp', emptyDir: { sizeLimit: '1Gi' } }],
          affinity: {
            podAntiAffinity: {
              preferredDuringSchedulingIgnoredDuringExecution: [
                { weight: 100, podAffinityTerm: { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: { app: 'reviews' } } } },
              ],
            },
          },
        },
      },
    },
  };
}

const container = (object: Json): Json => ((((object.spec as Json).template as Json).spec as Json).containers as Json[])[0]!;

describe('schema validation: valid objects', () => {
  it('a Deployment with probes, resources, int-or-string ports and null timestamps has no problems', () => {
    assert.deepEqual(validate(deployment()), []);
  });

  it('a Service with a named targetPort has no problems', () => {
    const service = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'reviews', labels: { app: 'reviews', service: 'reviews' } },
      spec: {
        type: 'ClusterIP',
        selector: { app: 'reviews' },
        sessionAffinity: 'None',
        ports: [
          { name: 'http', port: 9080, targetPort: 'http', protocol: 'TCP' },
          { name: 'metrics', port: 15020, targetPort: 15020 },
        ],
      },
    };
    assert.deepEqual(validate(service), []);
  });

  it('an Istio VirtualService (networking.istio.io/v1) with a weighted canary has no problems', () => {
    const virtualService = {
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      metadata: { name: 'reviews' },
      spec: {
        hosts: ['reviews'],
        gateways: ['mesh'],
        http: [
          {
            name: 'jason',
            match: [{ headers: { 'end-user': { exact: 'jason' } }, uri: { prefix: '/reviews' } }],
            route: [{ destination: { host: 'reviews', subset: 'v2', port: { number: 9080 } } }],
          },
          {
            name: 'primary',
            route: [
              { destination: { host: 'reviews', subset: 'v1' }, weight: 80 },
              { destination: { host: 'reviews', subset: 'v3' }, weight: 20, headers: { response: { set: { 'x-canary': 'true' } } } },
            ],
            retries: { attempts: 3, perTryTimeout: '2s', retryOn: 'gateway-error,connect-failure' },
            timeout: '10s',
            fault: { delay: { percentage: { value: 0.1 }, fixedDelay: '7s' } },
          },
        ],
      },
    };
    assert.deepEqual(validate(virtualService), []);
  });

  it('an Argo Rollout with canary steps, analysis and Istio traffic routing has no problems', () => {
    const rollout = {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Rollout',
      metadata: { name: 'reviews' },
      spec: {
        replicas: 5,
        revisionHistoryLimit: 2,
        selector: { matchLabels: { app: 'reviews' } },
        template: {
          metadata: { labels: { app: 'reviews' } },
          spec: { containers: [{ name: 'reviews', image: 'reviews:2.0', ports: [{ name: 'http', containerPort: 9080 }] }] },
        },
        strategy: {
          canary: {
            canaryService: 'reviews-canary',
            stableService: 'reviews-stable',
            maxSurge: '25%',
            maxUnavailable: 0,
            trafficRouting: {
              istio: {
                virtualService: { name: 'reviews', routes: ['primary'] },
                destinationRule: { name: 'reviews', canarySubsetName: 'canary', stableSubsetName: 'stable' },
              },
            },
            analysis: { templates: [{ templateName: 'success-rate' }], startingStep: 2, args: [{ name: 'service', value: 'reviews' }] },
            steps: [
              { setWeight: 10 },
              { pause: {} },
              { setWeight: 40 },
              { pause: { duration: '10m' } },
              { setCanaryScale: { weight: 50 } },
              { analysis: { templates: [{ templateName: 'success-rate' }] } },
              { pause: { duration: 60 } },
            ],
          },
        },
      },
    };
    assert.deepEqual(validate(rollout), []);
  });

  it('accepts YAML 1.1 booleans that Kubernetes reads as booleans, and merge keys', () => {
    const object = deployment();
    const spec = object.spec as Json;
    spec.paused = 'no';
    container(object)['<<'] = { imagePullPolicy: 'Always' };
    assert.deepEqual(validate(object), []);
  });

  it('free-form fields accept anything, status is not validated', () => {
    const rollout = {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Rollout',
      metadata: { name: 'plugin' },
      spec: {
        workloadRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'reviews' },
        strategy: { canary: { steps: [{ plugin: { name: 'argoproj-labs/sample', config: { anything: ['goes', { here: 1 }] } } }] } },
      },
      status: { whatever: true, phase: 3 },
    };
    assert.deepEqual(validate(rollout), []);
  });
});

describe('schema validation: problems', () => {
  it('unknown-field: a typo in a container field, on the key, with a suggestion', () => {
    const object = deployment();
    const first = container(object);
    first.readinessProb = first.readinessProbe;
    delete first.readinessProbe;
    const problems = validate(object);
    assert.deepEqual(brief(problems), [{ rule: 'unknown-field', path: 'spec.template.spec.containers.0.readinessProb', on: 'key' }]);
    assert.equal(problems[0]!.message, 'Unknown field `readinessProb` in Container; did you mean `readinessProbe`?');
    assert.deepEqual(problems[0]!.path, ['spec', 'template', 'spec', 'containers', 0, 'readinessProb']);
  });

  it('unknown-field: no suggestion when nothing is close', () => {
    const object = deployment();
    (object.spec as Json).canaryWeight = 20;
    const problems = validate(object);
    assert.deepEqual(brief(problems), [{ rule: 'unknown-field', path: 'spec.canaryWeight', on: 'key' }]);
    assert.equal(problems[0]!.message, 'Unknown field `canaryWeight` in DeploymentSpec.');
  });

  it('invalid-type: replicas as a string', () => {
    const object = deployment();
    (object.spec as Json).replicas = '3';
    const problems = validate(object);
    assert.deepEqual(brief(problems), [{ rule: 'invalid-type', path: 'spec.replicas', on: 'value' }]);
    assert.equal(problems[0]!.message, 'Expected an integer for `replicas`, found the string "3".');
  });

  it('invalid-type: containerPort as a string (a named port belongs in name)', () => {
    const object = deployment();
    container(object).ports = [{ name: 'http', containerPort: '8080' }];
    const problems = validate(object);
    assert.deepEqual(brief(problems), [{ rule: 'invalid-type', path: 'spec.template.spec.containers.0.ports.0.containerPort', on: 'value' }]);
    assert.match(problems[0]!.message, /^Expected an integer for `containerPort`, found the string "8080"\.$/);
  });

  it('invalid-type: a string where a list is expected, and a map where a list is expected', () => {
    const object = deployment();
    container(object).args = '--port 9080';
    container(object).ports = { name: 'http', containerPort: 9080 };
    const problems = validate(object);
    assert.deepEqual(brief(problems), [
      { rule: 'invalid-type', path: 'spec.template.spec.containers.0.args', on: 'value' },
      { rule: 'invalid-type', path: 'spec.template.spec.containers.0.ports', on: 'value' },
    ]);
    assert.equal(problems[0]!.message, 'Expected a list of strings for `args`, found the string "--port 9080".');
    assert.equal(problems[1]!.message, 'Expected a list of ContainerPort for `ports`, found a map.');
  });

  it('invalid-type: labels are strings, int-or-string refuses fractions, quantities refuse booleans', () => {
    const object = deployment();
    ((object.metadata as Json).labels as Json).version = 1;
    ((object.spec as Json).strategy as Json).rollingUpdate = { maxSurge: 1.5 };
    (container(object).resources as Json).limits = { cpu: true };
    const problems = validate(object);
    assert.deepEqual(brief(problems), [
      { rule: 'invalid-type', path: 'metadata.labels.version', on: 'value' },
      { rule: 'invalid-type', path: 'spec.strategy.rollingUpdate.maxSurge', on: 'value' },
      { rule: 'invalid-type', path: 'spec.template.spec.containers.0.resources.limits.cpu', on: 'value' },
    ]);
    assert.equal(problems[0]!.message, 'Expected a string for `labels.version`, found the number 1.');
    assert.equal(problems[1]!.message, 'Expected an integer or a string for `maxSurge`, found the number 1.5.');
  });

  it('unknown-field under an Istio route destination', () => {
    const virtualService = {
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      metadata: { name: 'reviews' },
      spec: {
        hosts: ['reviews'],
        http: [
          {
            route: [
              { destination: { host: 'reviews', subset: 'v1' }, weight: 90 },
              { destination: { host: 'reviews', subsets: 'v2' }, weight: 10 },
            ],
          },
        ],
      },
    };
    const problems = validate(virtualService);
    assert.deepEqual(brief(problems), [{ rule: 'unknown-field', path: 'spec.http.0.route.1.destination.subsets', on: 'key' }]);
    assert.equal(problems[0]!.message, 'Unknown field `subsets` in VirtualService.spec.http.route.destination; did you mean `subset`?');
  });

  it('the three Istio versions share the schema', () => {
    for (const version of ['v1alpha3', 'v1beta1', 'v1']) {
      const problems = validate({
        apiVersion: `networking.istio.io/${version}`,
        kind: 'DestinationRule',
        metadata: { name: 'reviews' },
        spec: {
          host: 'reviews',
          subsets: [{ name: 'v1', labels: { version: 'v1' } }],
          trafficPolicy: { loadBalancer: { simple: 'LEAST_REQUEST' }, tls: 'ISTIO_MUTUAL' },
        },
      });
      assert.deepEqual(brief(problems), [{ rule: 'invalid-type', path: 'spec.trafficPolicy.tls', on: 'value' }], version);
    }
  });

  it('unknown-field in a Rollout canary step, and a wrong type in a pause', () => {
    const rollout = {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Rollout',
      metadata: { name: 'reviews' },
      spec: {
        selector: { matchLabels: { app: 'reviews' } },
        template: { metadata: { labels: { app: 'reviews' } }, spec: { containers: [{ name: 'reviews', image: 'reviews:2.0' }] } },
        strategy: { canary: { steps: [{ setWeight: 20 }, { setWieght: 40 }, { pause: { duration: 1.5 } }, { pause: [] }] } },
      },
    };
    const problems = validate(rollout);
    assert.deepEqual(brief(problems), [
      { rule: 'unknown-field', path: 'spec.strategy.canary.steps.1.setWieght', on: 'key' },
      { rule: 'invalid-type', path: 'spec.strategy.canary.steps.2.pause.duration', on: 'value' },
      { rule: 'invalid-type', path: 'spec.strategy.canary.steps.3.pause', on: 'value' },
    ]);
    assert.equal(problems[0]!.message, 'Unknown field `setWieght` in CanaryStep; did you mean `setWeight`?');
    assert.equal(problems[2]!.message, 'Expected a map (RolloutPause) for `pause`, found a list.');
  });

  it('null values are not set, never a wrong type', () => {
    const object = deployment();
    (object.spec as Json).replicas = null;
    container(object).ports = null;
    assert.deepEqual(validate(object), []);
  });

  it('kinds without a schema are not validated', () => {
    assert.equal(hasSchema('apps/v1', 'Deployment'), true);
    assert.equal(hasSchema('networking.istio.io/v1', 'VirtualService'), true);
    assert.equal(hasSchema('argoproj.io/v1alpha1', 'Experiment'), true);
    assert.equal(hasSchema('getambassador.io/v2', 'Mapping'), false);
    assert.equal(hasSchema('apps/v1', 'toString'), false);
    assert.deepEqual(validateAgainstSchema('getambassador.io/v2', 'Mapping', { spec: { anything: 1 } }), []);
  });
});

/** Every object of a corpus folder, with the file it came from. */
function corpusObjects(folder: string): { file: string; object: Json }[] {
  const dir = path.join(corpus, folder);
  assert.ok(fs.existsSync(dir), `corpus folder ${dir} is missing: the tests read ../shared/corpus beside the repository`);
  const objects: { file: string; object: Json }[] = [];
  for (const file of fs
    .readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()) {
    for (const doc of parseAllDocuments(fs.readFileSync(path.join(dir, file), 'utf8'), { logLevel: 'error' })) {
      const object: unknown = doc.toJS({ maxAliasCount: 1000 });
      if (object && typeof object === 'object' && 'kind' in object) objects.push({ file, object: object as Json });
    }
  }
  return objects;
}

/** `file kind/name rule path` for each problem of the corpus objects. */
function corpusProblems(folder: string): string[] {
  return corpusObjects(folder).flatMap(({ file, object }) =>
    validate(object).map((p) => `${file} ${String(object.kind)}/${String((object.metadata as Json | undefined)?.name)} ${p.rule} ${p.path.join('.')}`),
  );
}

describe('schema validation: public corpora', () => {
  it('Istio Bookinfo has no problems', () => {
    const objects = corpusObjects('istio-bookinfo');
    assert.ok(objects.filter(({ object }) => hasSchema(String(object.apiVersion), String(object.kind))).length > 60);
    assert.deepEqual(corpusProblems('istio-bookinfo'), []);
  });

  it('Argo Rollouts examples have no problems but one real mistake', () => {
    assert.deepEqual(corpusProblems('argo-rollouts-examples'), [
      // `linkerd.io/inject: {{args.linkerd-enabled}}` is not quoted, so YAML reads a flow map
      // ({ {args.linkerd-enabled: null}: null }), not the string template Argo would substitute.
      // An annotation must be a string; kubectl cannot even encode this map as JSON.
      'traffic-management__rollout-linkerd.yaml AnalysisTemplate/load-test invalid-type spec.metrics.0.provider.job.spec.template.metadata.annotations.linkerd.io/inject',
    ]);
  });

  it('validates 2,000 objects well under 200 ms', (t) => {
    const all = [...corpusObjects('istio-bookinfo'), ...corpusObjects('argo-rollouts-examples')].map(({ object }) => object);
    const objects = Array.from({ length: 2000 }, (_, i) => all[i % all.length]!);
    validate(objects[0]!); // compile the first definitions outside the measure, as a running server has
    const start = performance.now();
    let problems = 0;
    for (const object of objects) problems += validate(object).length;
    const elapsed = performance.now() - start;
    assert.ok(problems > 0);
    t.diagnostic(`2,000 objects in ${elapsed.toFixed(1)} ms`);
    assert.ok(elapsed < 200, `2,000 objects took ${elapsed.toFixed(1)} ms`);
  });
});
