/**
 * A generated manifest workspace: `apps` services, each with a stable and a canary Deployment,
 * a Service, a DestinationRule with v1/v2 subsets and a VirtualService splitting 90/10 —
 * five objects per app, grouped five apps to a file by kind (so 400 apps = 2,000 objects in 400 files).
 */
export function generateManifestWorkspace(apps: number): Map<string, string> {
  const files = new Map<string, string>();
  const groups = Math.ceil(apps / 5);
  const doc = (lines: string[]): string => lines.join('\n');
  for (let g = 0; g < groups; g++) {
    const members = Array.from({ length: 5 }, (_, k) => g * 5 + k).filter((i) => i < apps);
    const name = (i: number): string => `app-${i}`;
    const deployments = (version: string): string =>
      members
        .map((i) =>
          doc([
            'apiVersion: apps/v1',
            'kind: Deployment',
            'metadata:',
            `  name: ${name(i)}-${version}`,
            '  namespace: shop',
            'spec:',
            '  replicas: 3',
            '  selector:',
            `    matchLabels: { app: ${name(i)}, version: ${version} }`,
            '  template:',
            '    metadata:',
            `      labels: { app: ${name(i)}, version: ${version} }`,
            '    spec:',
            '      terminationGracePeriodSeconds: 30',
            '      containers:',
            '        - name: app',
            `          image: registry.example.com/${name(i)}:${version === 'v1' ? '1.4.2' : '1.5.0'}`,
            '          ports: [{ name: http, containerPort: 8080 }]',
            '          readinessProbe: { httpGet: { path: /ready, port: http } }',
            '          livenessProbe: { httpGet: { path: /live, port: http }, periodSeconds: 20 }',
            '          lifecycle: { preStop: { exec: { command: [sleep, "10"] } } }',
            '          resources: { requests: { cpu: 100m, memory: 128Mi }, limits: { memory: 256Mi } }',
          ]),
        )
        .join('\n---\n');
    files.set(`deploy-v1-${g}.yaml`, deployments('v1'));
    files.set(`deploy-v2-${g}.yaml`, deployments('v2'));
    files.set(
      `service-${g}.yaml`,
      members
        .map((i) =>
          doc([
            'apiVersion: v1',
            'kind: Service',
            'metadata:',
            `  name: ${name(i)}`,
            '  namespace: shop',
            'spec:',
            `  selector: { app: ${name(i)} }`,
            '  ports: [{ name: http, port: 80, targetPort: http }]',
          ]),
        )
        .join('\n---\n'),
    );
    files.set(
      `destinationrule-${g}.yaml`,
      members
        .map((i) =>
          doc([
            'apiVersion: networking.istio.io/v1',
            'kind: DestinationRule',
            'metadata:',
            `  name: ${name(i)}`,
            '  namespace: shop',
            'spec:',
            `  host: ${name(i)}`,
            '  subsets:',
            '    - name: v1',
            '      labels: { version: v1 }',
            '    - name: v2',
            '      labels: { version: v2 }',
          ]),
        )
        .join('\n---\n'),
    );
    files.set(
      `virtualservice-${g}.yaml`,
      members
        .map((i) =>
          doc([
            'apiVersion: networking.istio.io/v1',
            'kind: VirtualService',
            'metadata:',
            `  name: ${name(i)}`,
            '  namespace: shop',
            'spec:',
            `  hosts: [${name(i)}]`,
            '  http:',
            '    - name: primary',
            '      timeout: 5s',
            '      retries: { attempts: 2, perTryTimeout: 2s }',
            '      route:',
            `        - destination: { host: ${name(i)}, subset: v1 }`,
            '          weight: 90',
            `        - destination: { host: ${name(i)}, subset: v2 }`,
            '          weight: 10',
          ]),
        )
        .join('\n---\n'),
    );
  }
  return files;
}
