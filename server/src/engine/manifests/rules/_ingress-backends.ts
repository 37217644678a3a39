/** The Services an Ingress sends requests to (v1 `service.name`, v1beta1 `serviceName`), for unknown-destination-host. */
import { asArray, asRecord, asString } from '../model';
import type { ManifestObject, Path } from '../yaml';

export interface IngressBackend {
  service: string;
  /** Where the Service name is written. */
  path: Path;
}

/**
 * Every Service backend of an Ingress: its default backend and each rule path's. An AWS Load
 * Balancer Controller action (`port.name: use-annotation`) names an action annotation, not a Service.
 */
export function ingressBackends(ingress: ManifestObject): IngressBackend[] {
  const spec = asRecord(ingress.data.spec);
  const out: IngressBackend[] = [];
  const add = (raw: unknown, at: Path): void => {
    const backend = asRecord(raw);
    const service = asRecord(backend.service);
    const name = asString(service.name);
    if (name && asRecord(service.port).name !== 'use-annotation') out.push({ service: name, path: [...at, 'service', 'name'] });
    const legacy = asString(backend.serviceName);
    if (legacy && backend.servicePort !== 'use-annotation') out.push({ service: legacy, path: [...at, 'serviceName'] });
  };
  add(spec.defaultBackend, ['spec', 'defaultBackend']);
  add(spec.backend, ['spec', 'backend']);
  asArray(spec.rules).forEach((rule, i) =>
    asArray(asRecord(asRecord(rule).http).paths).forEach((path, j) => add(asRecord(path).backend, ['spec', 'rules', i, 'http', 'paths', j, 'backend'])),
  );
  return out;
}
