/** Workload manifests the tests write: one builder for the Deployment shape most tests need. */

/**
 * A Deployment whose pods are labelled `app: <name>`, with one container; `environment` are its
 * env/envFrom YAML lines, written at the container's indent (10 spaces added):
 *
 *   deployment('web', { environment: ['envFrom: [{ configMapRef: { name: settings } }]'] })
 *
 * Lines: 3 metadata, 10 the container's name, 11 its image, 12 on the environment.
 */
export function deployment(name: string, options: { namespace?: string; container?: string; image?: string; environment?: readonly string[] } = {}): string {
  return [
    'apiVersion: apps/v1',
    'kind: Deployment',
    `metadata: { name: ${name}${options.namespace ? `, namespace: ${options.namespace}` : ''} }`,
    'spec:',
    `  selector: { matchLabels: { app: ${name} } }`,
    '  template:',
    `    metadata: { labels: { app: ${name} } }`,
    '    spec:',
    '      containers:',
    `        - name: ${options.container ?? name}`,
    `          image: ${options.image ?? 'nginx:1.27'}`,
    ...(options.environment ?? []).map((line) => `          ${line}`),
    '',
  ].join('\n');
}
