/**
 * A generated kustomize repository: `bases` bases of three apps each (Deployment, Service and
 * PodDisruptionBudget per app, a generated ConfigMap) and `overlays` overlays, each over four
 * bases with a namespace, a name prefix, labels, an image tag, a replica patch and a merged
 * ConfigMap. 10 bases and 50 overlays render 2,000 objects; each base is read by 20 overlays.
 */
export const BASES_PER_OVERLAY = 4;

export function generateKustomizeRepository(bases: number, overlays: number): Map<string, string> {
  const files = new Map<string, string>();
  const lines = (...all: string[]): string => `${all.join('\n')}\n`;
  for (let b = 0; b < bases; b++) {
    const apps = [0, 1, 2].map((a) => `svc-${b}-${a}`);
    files.set(
      `bases/b${b}/kustomization.yaml`,
      lines(
        'resources:',
        '  - deployments.yaml',
        '  - services.yaml',
        'configMapGenerator:',
        `  - name: settings-${b}`,
        '    literals:',
        '      - LOG_LEVEL=info',
        '      - REGION=eu',
      ),
    );
    files.set(`bases/b${b}/deployments.yaml`, apps.map((app) => deployment(app, b)).join('---\n'));
    files.set(
      `bases/b${b}/services.yaml`,
      apps
        .flatMap((app) => [
          lines(
            'apiVersion: v1',
            'kind: Service',
            'metadata:',
            `  name: ${app}`,
            'spec:',
            `  selector: { app: ${app} }`,
            '  ports: [{ name: http, port: 80, targetPort: http }]',
          ),
          lines(
            'apiVersion: policy/v1',
            'kind: PodDisruptionBudget',
            'metadata:',
            `  name: ${app}`,
            'spec:',
            '  maxUnavailable: 1',
            `  selector: { matchLabels: { app: ${app} } }`,
          ),
        ])
        .join('---\n'),
    );
  }
  for (let o = 0; o < overlays; o++) {
    // Overlay o reads bases o, o+1, … (mod bases): every base is read by overlays × 4 / bases overlays.
    const read = Array.from({ length: BASES_PER_OVERLAY }, (_, k) => (o + k) % bases);
    files.set(
      `overlays/o${o}/kustomization.yaml`,
      lines(
        `namespace: env-${o}`,
        `namePrefix: o${o}-`,
        'labels:',
        '  - pairs: { team: shop }',
        'resources:',
        ...read.map((b) => `  - ../../bases/b${b}`),
        'images:',
        `  - name: registry.example.com/svc-${read[0]}-0`,
        `    newTag: "2.${o}.0"`,
        'patches:',
        '  - path: replicas.yaml',
        'configMapGenerator:',
        `  - name: settings-${read[0]}`,
        '    behavior: merge',
        '    literals:',
        `      - REGION=eu-${o}`,
      ),
    );
    files.set(
      `overlays/o${o}/replicas.yaml`,
      lines('apiVersion: apps/v1', 'kind: Deployment', 'metadata:', `  name: svc-${read[0]}-0`, 'spec:', '  replicas: 4'),
    );
  }
  return files;
}

function deployment(app: string, base: number): string {
  return [
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata:',
    `  name: ${app}`,
    'spec:',
    '  replicas: 3',
    '  strategy:',
    '    rollingUpdate: { maxSurge: 1, maxUnavailable: 0 }',
    `  selector: { matchLabels: { app: ${app} } }`,
    '  template:',
    '    metadata:',
    `      labels: { app: ${app} }`,
    '    spec:',
    '      terminationGracePeriodSeconds: 30',
    '      containers:',
    '        - name: app',
    `          image: registry.example.com/${app}:1.4.2`,
    '          ports: [{ name: http, containerPort: 8080 }]',
    `          envFrom: [{ configMapRef: { name: settings-${base} } }]`,
    '          readinessProbe: { httpGet: { path: /ready, port: http } }',
    '          livenessProbe: { httpGet: { path: /live, port: http }, periodSeconds: 20 }',
    '          lifecycle: { preStop: { exec: { command: [sleep, "10"] } } }',
    '          resources: { requests: { cpu: 100m, memory: 128Mi }, limits: { memory: 256Mi } }',
    '',
  ].join('\n');
}
