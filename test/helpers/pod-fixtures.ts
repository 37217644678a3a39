/** A Deployment to vary in the pod-template rule tests (not a rule). */
import { yaml } from './manifests';

export interface DeploymentOptions {
  kind?: string;
  replicas?: number;
  strategy?: string[];
  podSpec?: string[];
  container?: string[];
  image?: string;
}

/** Lines are indented for their place: podSpec at 4 spaces, container fields at 10. */
export function deployment(o: DeploymentOptions = {}): string {
  return yaml(
    o.kind === 'Rollout' ? 'apiVersion: argoproj.io/v1alpha1' : 'apiVersion: apps/v1',
    `kind: ${o.kind ?? 'Deployment'}`,
    'metadata:',
    '  name: checkout',
    'spec:',
    `  replicas: ${o.replicas ?? 3}`,
    ...(o.strategy ?? []),
    '  selector:',
    '    matchLabels: { app: checkout }',
    '  template:',
    '    metadata:',
    '      labels: { app: checkout }',
    '    spec:',
    ...(o.podSpec ?? []),
    '      containers:',
    '        - name: app',
    `          image: ${o.image ?? 'registry.example.com/checkout:1.4.2'}`,
    '          ports:',
    '            - name: http',
    '              containerPort: 8080',
    ...(o.container ?? []),
  );
}

/** A container that passes every pod-template rule (fields at container indentation). */
export const GOOD_CONTAINER = [
  '          readinessProbe: { httpGet: { path: /ready, port: http } }',
  '          livenessProbe: { httpGet: { path: /live, port: http }, periodSeconds: 20, failureThreshold: 6 }',
  '          lifecycle: { preStop: { exec: { command: [sleep, "10"] } } }',
  '          resources: { requests: { cpu: 100m, memory: 128Mi }, limits: { memory: 256Mi } }',
];
