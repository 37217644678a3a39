/**
 * A stand-in for LaunchDarkly's REST API (v2), for tests: no LaunchDarkly server runs outside their
 * cloud. It follows the documented API (launchdarkly.com/docs/api) for what Rollout Guard calls:
 *   GET   /api/v2/flags/{projectKey}            items, totalCount, _links; limit (default 20, at most
 *                                                100), offset, env (repeatable), summary (default: no
 *                                                prerequisites, targets or rules per environment)
 *   GET   /api/v2/flags/{projectKey}/{flagKey}  the flag; env filters the environments map
 *   PATCH /api/v2/flags/{projectKey}/{flagKey}  semantic patch only (Content-Type
 *         application/json; domain-model=launchdarkly.semanticpatch): environmentKey, instructions
 *         turnFlagOn, turnFlagOff, updateFallthroughVariationOrRollout (variationId, or rolloutWeights
 *         in thousandths of a percent summing to 100000), comment
 * with the access token in Authorization (401 without it), errors as {code, message}, 404 for unknown
 * projects and flags, 400 for invalid instructions. JSON Patch and merge patch bodies, which the real
 * API also takes, are refused here with 400: Rollout Guard sends semantic patches only.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StandInVariation {
  _id: string;
  value: unknown;
  name?: string;
}

export interface StandInEnvironment {
  on: boolean;
  archived: boolean;
  offVariation: number;
  fallthrough: { variation?: number; rollout?: { variations: { variation: number; weight: number }[]; bucketBy?: string } };
  targets: unknown[];
  rules: unknown[];
  prerequisites: unknown[];
  _version: number;
  lastModified: number;
}

export interface StandInFlag {
  key: string;
  name: string;
  kind: 'boolean' | 'multivariate';
  archived: boolean;
  deprecated: boolean;
  temporary: boolean;
  variations: StandInVariation[];
  environments: Record<string, StandInEnvironment>;
  _version: number;
}

export interface LaunchDarklyStandIn {
  /** The host URL, as flags.url takes it: http://127.0.0.1:PORT */
  readonly url: string;
  readonly token: string;
  /** Adds a boolean flag (variations true, false; off variation false; on serves true), off in every environment. */
  addFlag(key: string, options?: { variations?: unknown[]; deprecated?: boolean }): StandInFlag;
  flag(key: string): StandInFlag | undefined;
  /** The next `count` requests answer `status` (429 with X-Ratelimit-Reset, 5xx), as the real API does under load. */
  failNext(status: number, count?: number): void;
  /** Requests received: method, path and content type. */
  readonly requests: { method: string; path: string; contentType: string | undefined }[];
  stop(): Promise<void>;
}

const SEMANTIC_PATCH = /^application\/json;\s*domain-model=launchdarkly\.semanticpatch\s*$/i;

export async function startLaunchDarklyStandIn(options: { project?: string; environments?: string[] } = {}): Promise<LaunchDarklyStandIn> {
  const project = options.project ?? 'default';
  const environments = options.environments ?? ['production', 'test'];
  const token = `api-${randomUUID()}`;
  const flags = new Map<string, StandInFlag>();
  const requests: LaunchDarklyStandIn['requests'] = [];
  let failures: { status: number; count: number } | undefined;

  const send = (res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };
  const error = (res: http.ServerResponse, status: number, code: string, message: string, headers: Record<string, string> = {}): void =>
    send(res, status, { code, message }, headers);

  const view = (flag: StandInFlag, envFilter: string[], summary: boolean): unknown => ({
    ...flag,
    environments: Object.fromEntries(
      Object.entries(flag.environments)
        .filter(([env]) => envFilter.length === 0 || envFilter.includes(env))
        .map(([env, config]) => {
          if (!summary) return [env, config];
          const { targets: _targets, rules: _rules, prerequisites: _prerequisites, ...rest } = config;
          return [env, rest];
        }),
    ),
    _links: { self: { href: `/api/v2/flags/${project}/${flag.key}`, type: 'application/json' } },
  });

  const patch = (flag: StandInFlag, body: { environmentKey?: unknown; instructions?: unknown }): string | undefined => {
    if (!Array.isArray(body.instructions) || body.instructions.length === 0) return 'instructions must be a non-empty array';
    if (typeof body.environmentKey !== 'string') return 'environmentKey is required for these instructions';
    const config = flag.environments[body.environmentKey];
    if (!config) return `environment "${body.environmentKey}" not found`;
    // Validated whole before anything changes: a semantic patch applies all its instructions or none.
    const changes: (() => void)[] = [];
    for (const raw of body.instructions as Record<string, unknown>[]) {
      switch (raw.kind) {
        case 'turnFlagOn':
        case 'turnFlagOff':
          changes.push(() => (config.on = raw.kind === 'turnFlagOn'));
          break;
        case 'updateFallthroughVariationOrRollout': {
          if (typeof raw.variationId === 'string') {
            const index = flag.variations.findIndex((v) => v._id === raw.variationId);
            if (index < 0) return `unknown variation ${raw.variationId}`;
            changes.push(() => (config.fallthrough = { variation: index }));
          } else if (raw.rolloutWeights && typeof raw.rolloutWeights === 'object') {
            const weights = Object.entries(raw.rolloutWeights as Record<string, unknown>);
            if (weights.some(([id, w]) => !flag.variations.some((v) => v._id === id) || !Number.isInteger(w) || (w as number) < 0))
              return 'rolloutWeights must map variation IDs to whole weights';
            if (weights.reduce((sum, [, w]) => sum + (w as number), 0) !== 100_000) return 'rolloutWeights must sum to 100000';
            const variations = weights.map(([id, w]) => ({ variation: flag.variations.findIndex((v) => v._id === id), weight: w as number }));
            const bucketBy = typeof raw.rolloutBucketBy === 'string' ? raw.rolloutBucketBy : undefined;
            changes.push(() => (config.fallthrough = { rollout: { variations, ...(bucketBy ? { bucketBy } : {}) } }));
          } else return 'updateFallthroughVariationOrRollout needs variationId or rolloutWeights';
          break;
        }
        default:
          return `unknown instruction kind ${JSON.stringify(raw.kind)}`;
      }
    }
    for (const change of changes) change();
    config._version++;
    config.lastModified = Date.now();
    flag._version++;
    return undefined;
  };

  const server = http.createServer((req, res) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (text += chunk));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://stand-in');
      requests.push({ method: req.method ?? '', path: url.pathname + url.search, contentType: req.headers['content-type'] });
      if (failures && failures.count > 0) {
        failures.count--;
        if (failures.status === 429) return error(res, 429, 'rate_limited', 'Rate limited', { 'x-ratelimit-reset': String(Date.now() + 1000) });
        return error(res, failures.status, 'internal_server_error', 'Internal server error');
      }
      if (req.headers.authorization !== token) return error(res, 401, 'unauthorized', 'Invalid access token');
      const match = /^\/api\/v2\/flags\/([^/]+)(?:\/([^/]+))?$/.exec(url.pathname);
      if (!match) return error(res, 404, 'not_found', 'Invalid resource identifier');
      if (decodeURIComponent(match[1]!) !== project) return error(res, 404, 'not_found', 'Unknown resource');
      const envFilter = url.searchParams.getAll('env');
      const summary = url.searchParams.get('summary') !== '0' && url.searchParams.get('summary') !== 'false';
      if (!match[2]) {
        if (req.method !== 'GET') return error(res, 405, 'method_not_allowed', 'Method not allowed');
        const limit = Number(url.searchParams.get('limit') ?? 20);
        const offset = Number(url.searchParams.get('offset') ?? 0);
        if (!Number.isInteger(limit) || limit < 1 || limit > 100) return error(res, 400, 'invalid_request', 'limit must be from 1 to 100');
        const all = [...flags.values()];
        const page = all.slice(offset, offset + limit);
        const next = offset + limit < all.length ? { next: { href: `/api/v2/flags/${project}?limit=${limit}&offset=${offset + limit}` } } : {};
        return send(res, 200, {
          items: page.map((f) => view(f, envFilter, summary)),
          totalCount: all.length,
          _links: { self: { href: url.pathname + url.search }, ...next },
        });
      }
      const flag = flags.get(decodeURIComponent(match[2]));
      if (!flag) return error(res, 404, 'not_found', 'Unknown resource');
      if (req.method === 'GET') return send(res, 200, view(flag, envFilter, false));
      if (req.method !== 'PATCH') return error(res, 405, 'method_not_allowed', 'Method not allowed');
      if (!SEMANTIC_PATCH.test(req.headers['content-type'] ?? ''))
        return error(
          res,
          400,
          'invalid_request',
          'this stand-in takes semantic patch only (Content-Type: application/json; domain-model=launchdarkly.semanticpatch)',
        );
      let body: { environmentKey?: unknown; instructions?: unknown };
      try {
        body = JSON.parse(text) as typeof body;
      } catch {
        return error(res, 400, 'invalid_request', 'body is not JSON');
      }
      const refusal = patch(flag, body);
      if (refusal) return error(res, 400, 'invalid_request', refusal);
      return send(res, 200, view(flag, [], false));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    token,
    requests,
    addFlag(key, flagOptions = {}) {
      const values = flagOptions.variations ?? [true, false];
      const variations = values.map((value) => ({ _id: randomUUID(), value, name: String(value) }));
      const offVariation = values.length === 2 && values.includes(false) ? values.indexOf(false) : values.length - 1;
      const flag: StandInFlag = {
        key,
        name: key,
        kind: values.every((v) => typeof v === 'boolean') ? 'boolean' : 'multivariate',
        archived: false,
        deprecated: flagOptions.deprecated === true,
        temporary: true,
        variations,
        _version: 1,
        environments: Object.fromEntries(
          environments.map((env) => [
            env,
            {
              on: false,
              archived: false,
              offVariation,
              fallthrough: { variation: offVariation === 0 ? 1 : 0 },
              targets: [],
              rules: [],
              prerequisites: [],
              _version: 1,
              lastModified: Date.now(),
            },
          ]),
        ),
      };
      flags.set(key, flag);
      return flag;
    },
    flag: (key) => flags.get(key),
    failNext(status, count = 1) {
      failures = { status, count };
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
