import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { serviceOfHost } from './model';

describe('Istio host → Service (the linter and the cluster discovery both use it)', () => {
  it('a short name is a Service of the namespace of the object that names it', () => {
    assert.deepEqual(serviceOfHost('reviews', 'shop'), { name: 'reviews', namespace: 'shop' });
  });

  it('name.ns, name.ns.svc and name.ns.svc.cluster.local name the namespace', () => {
    for (const host of ['reviews.prod', 'reviews.prod.svc', 'reviews.prod.svc.cluster.local']) {
      assert.deepEqual(serviceOfHost(host, 'shop'), { name: 'reviews', namespace: 'prod' }, host);
    }
  });

  it('reads a DNS name: any case, an optional trailing dot', () => {
    assert.deepEqual(serviceOfHost('Reviews.Prod.svc.cluster.local.', 'shop'), { name: 'reviews', namespace: 'prod' });
    assert.deepEqual(serviceOfHost('reviews.', 'shop'), { name: 'reviews', namespace: 'shop' });
  });

  it('a wildcard names no one Service', () => {
    for (const host of ['*', '*.prod', '*.prod.svc.cluster.local', '*.example.com']) assert.equal(serviceOfHost(host, 'shop'), undefined, host);
  });

  it('external hosts, IP addresses and other cluster domains are no Service of this cluster', () => {
    for (const host of ['api.example.com', 'reviews.prod.svc.other.domain', 'reviews.prod.svc.cluster', '10.0.0.12', '2001:db8::1', 'a..b', '']) {
      assert.equal(serviceOfHost(host, 'shop'), undefined, host);
    }
  });

  it('a cluster with another domain names its Services with it', () => {
    assert.deepEqual(serviceOfHost('reviews.prod.svc.corp.internal', 'shop', 'corp.internal'), { name: 'reviews', namespace: 'prod' });
    assert.equal(serviceOfHost('reviews.prod.svc.cluster.local', 'shop', 'corp.internal'), undefined);
  });
});
