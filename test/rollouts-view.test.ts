/** The Rollouts view's model: tree shape, attention order, gate rows and the status-bar text. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Canary, CanaryDestination } from '../operations/cluster';
import type { GateReport } from '../operations/gates';
import { buildTree, failedGates, statusText, type GateState, type RolloutNode } from '../client/src/rollouts/tree-model';

function destination(subset: string, role: 'stable' | 'canary', weight: number, ready = 2, desired = 2): CanaryDestination {
  return {
    host: 'reviews',
    subset,
    weight,
    role,
    service: { namespace: 'shop', name: 'reviews' },
    selector: { app: 'reviews', version: subset },
    workloads: [{ kind: 'Deployment', namespace: 'shop', name: `reviews-${subset}`, desired, ready, images: [`reviews:${subset}`], imageTag: subset }],
  };
}

function canary(name: string, canaryWeight: number, readyCanary = 2): Canary {
  return {
    id: `shop/${name}`,
    namespace: 'shop',
    name,
    resourceVersion: '1',
    hosts: ['reviews'],
    routes: [
      { index: 0, destinations: [destination('v1', 'stable', 100 - canaryWeight), destination('v2', 'canary', canaryWeight, readyCanary)], canaryWeight },
    ],
    warnings: [],
  };
}

function report(verdict: GateReport['verdict']): GateReport {
  const value = verdict === 'fail' ? 0.12 : verdict === 'pass' ? 0.001 : null;
  return {
    verdict,
    reason: `error-rate ${verdict}`,
    target: { namespace: 'shop', service: 'reviews', subsets: { stable: 'v1', canary: 'v2' } },
    interval: '1m',
    prometheus: 'http://prometheus:9090',
    evaluatedAt: '2026-11-29T00:00:00Z',
    gates: [
      {
        gate: 'error-rate',
        unit: 'ratio',
        threshold: 0.01,
        stable: { value: 0.001, query: 'q-stable' },
        canary: { value, query: 'q-canary', reason: value === null ? 'no series' : undefined },
        verdict,
        reason: `error-rate ${verdict}`,
      },
    ],
  };
}

const state = (verdict: GateReport['verdict']): GateState => ({
  report: report(verdict),
  autoRollback: true,
  autoProgress: false,
  consecutiveFailures: verdict === 'fail' ? 1 : 0,
  rollbackAfter: 3,
});

function find(nodes: RolloutNode[], id: string): RolloutNode | undefined {
  for (const node of nodes) {
    if (node.id === id) return node;
    const inner = find(node.children, id);
    if (inner) return inner;
  }
  return undefined;
}

describe('Rollouts view model', () => {
  it('context → namespace → canary → destinations (weight, Deployment, ready/desired, tag) and gates', () => {
    const tree = buildTree({
      context: 'kind-dev',
      server: 'https://127.0.0.1:6443',
      namespaces: ['shop'],
      canaries: [canary('reviews', 25)],
      gates: new Map([['shop/reviews', state('pass')]]),
    });
    assert.equal(tree.length, 1);
    assert.equal(tree[0]!.label, 'kind-dev');
    const ns = tree[0]!.children[0]!;
    assert.equal(ns.label, 'shop');
    const node = ns.children[0]!;
    assert.equal(node.label, 'reviews');
    assert.match(node.description!, /canary 25 %/);
    assert.match(node.description!, /gates pass/);
    assert.deepEqual(
      node.children.map((c) => [c.label, c.description]),
      [
        ['v1 (stable)', '75 % · reviews-v1 2/2 · v1'],
        ['v2 (canary)', '25 % · reviews-v2 2/2 · v2'],
        ['error-rate', 'pass · canary 0.1 % · stable 0.1 % · max 1 %'],
      ],
    );
    assert.equal(node.children[2]!.icon, 'pass');
  });

  it('a failing gate sorts first, then mid-rollout canaries with unready pods, then steady ones', () => {
    const gates = new Map([['shop/b-failing', state('fail')]]);
    const tree = buildTree({
      context: 'c',
      server: 's',
      namespaces: ['shop'],
      canaries: [canary('a-steady', 0), canary('c-unready', 10, 0), canary('b-failing', 10)],
      gates,
    });
    assert.deepEqual(
      tree[0]!.children[0]!.children.map((c) => c.label),
      ['b-failing', 'c-unready', 'a-steady'],
    );
    assert.equal(find(tree, 'shop/b-failing')!.icon, 'attention');
    assert.match(find(tree, 'shop/b-failing')!.description!, /1\/3 failing/);
  });

  it('a canary at 0 % whose new version fails the configuration check is marked, one node per finding, before the first step', () => {
    const message =
      'Deployment reviews-v2 reads key `stripe` of Secret reviews-secrets: not in the workspace, and Secret reviews-secrets in cluster c/shop has no key `stripe`';
    const tree = buildTree({
      context: 'c',
      server: 's',
      namespaces: ['shop'],
      canaries: [canary('reviews', 0)],
      gates: new Map(),
      configuration: new Map([
        ['shop/reviews', [{ rule: 'dangling-config-reference', file: 'k8s/reviews-v2.yaml', line: 14, workload: 'Deployment reviews-v2', message }]],
      ]),
    });
    const node = find(tree, 'shop/reviews')!;
    assert.equal(node.icon, 'attention');
    assert.match(node.description!, /configuration check failed \(1\)/);
    const finding = find(tree, 'shop/reviews#config:0')!;
    assert.equal(finding.label, 'Deployment reviews-v2: not ready for traffic');
    assert.equal(finding.description, message);
    assert.match(finding.tooltip!, /^k8s\/reviews-v2\.yaml:14\n/);
  });

  it('a canary at 0 % whose new version reads an environment variable its workload does not set says which, before the first step', () => {
    const finding = {
      rule: 'missing-env',
      file: 'src/checkout/pay.ts',
      line: 12,
      workload: 'Deployment checkout-v2',
      message:
        'PAYMENTS_URL is read here with no fallback, and Deployment shop/checkout-v2 does not set PAYMENTS_URL (its containers get no environment variables): …',
      needs: 'PAYMENTS_URL',
    };
    const tree = buildTree({
      context: 'c',
      server: 's',
      namespaces: ['shop'],
      canaries: [canary('checkout', 0)],
      gates: new Map(),
      configuration: new Map([['shop/checkout', [finding, { ...finding, line: 20, needs: 'TAX_URL' }]]]),
    });
    const node = find(tree, 'shop/checkout')!;
    assert.equal(node.icon, 'attention');
    assert.match(node.description!, /checkout-v2 needs PAYMENTS_URL, not set \(and 1 more\)/);
    assert.match(
      node.tooltip!,
      /Deployment checkout-v2 needs PAYMENTS_URL, not set \(src\/checkout\/pay\.ts:12\)\nDeployment checkout-v2 needs TAX_URL, not set \(src\/checkout\/pay\.ts:20\)/,
    );
    const first = find(tree, 'shop/checkout#config:0')!;
    assert.equal(first.description, 'needs PAYMENTS_URL, not set');
    assert.match(first.tooltip!, /^src\/checkout\/pay\.ts:12\nPAYMENTS_URL is read here/);
  });

  it('no data is shown as no data, never as a pass; an unevaluated canary says why', () => {
    const tree = buildTree({
      context: 'c',
      server: 's',
      namespaces: ['shop'],
      canaries: [canary('reviews', 10), canary('ratings', 10)],
      gates: new Map<string, GateState>([
        ['shop/reviews', state('no-data')],
        ['shop/ratings', { note: 'No Prometheus URL', autoRollback: true, autoProgress: false }],
      ]),
    });
    const gate = find(tree, 'shop/reviews#gate:error-rate')!;
    assert.equal(gate.icon, 'no-data');
    assert.match(gate.description!, /^no data · canary — /);
    assert.match(gate.tooltip!, /no series/);
    assert.equal(find(tree, 'shop/ratings#gates')!.description, 'No Prometheus URL');
  });

  it('several weighted routes get a level each; an unreachable cluster shows its message above the last canaries', () => {
    const two = canary('reviews', 10);
    two.routes.push({ ...two.routes[0]!, index: 1, name: 'beta-users', canaryWeight: 50 });
    const tree = buildTree({
      context: 'c',
      server: 's',
      namespaces: ['shop', 'empty'],
      canaries: [two],
      problem: 'cannot reach https://10.0.0.1:6443',
      gates: new Map(),
    });
    assert.equal(tree[0]!.children[0]!.label, 'cannot reach https://10.0.0.1:6443');
    const node = find(tree, 'shop/reviews')!;
    assert.deepEqual(
      node.children.map((c) => c.label),
      ['route http[0]', 'route beta-users', 'gates'],
    );
    assert.equal(find(tree, 'ns:empty:empty')!.description, 'no weighted VirtualService route');
  });

  it('status bar: weight and gate state of the focused rollout', () => {
    assert.deepEqual(statusText(canary('reviews', 25), state('fail')), {
      text: '$(git-compare) reviews 25 % $(error)',
      tooltip: 'shop/reviews: canary 25 %; gates fail — error-rate fail',
      failing: true,
    });
    assert.equal(statusText(canary('reviews', 5), undefined).text, '$(git-compare) reviews 5 % $(circle-outline)');
  });

  it('the rollback message names only the gates that failed', () => {
    const failing = report('fail');
    const passing = report('pass').gates[0]!;
    failing.gates.push({ ...passing, gate: 'p99-latency', unit: 'seconds', threshold: 0.5, canary: { value: 0.03, query: 'q' } });
    assert.equal(failedGates(failing), 'error-rate canary 12 % (max 1 %)');
  });
});
