/**
 * Typed cluster errors with messages that name what failed: the server URL when it cannot be
 * reached, the verb and resource when access is denied, the object when it does not exist.
 * Never the token or any other credential.
 */

export type ClusterErrorKind =
  /** The kubeconfig is missing, malformed, names an unknown context, or its credentials are refused here. */
  | 'kubeconfig'
  /** No answer from the API server (connection refused, DNS, TLS, timeout). */
  | 'unreachable'
  | 'unauthorized'
  | 'forbidden'
  | 'not-found'
  /** A write lost against another writer more times than the retries allow. */
  | 'conflict'
  /** The API server rejected the request (400, 422) or the objects cannot be changed as asked. */
  | 'invalid'
  /** The operation was refused before anything was written (a gate, a bad weight, no such route). */
  | 'refused'
  | 'server';

export class ClusterError extends Error {
  override readonly name = 'ClusterError';
  constructor(
    readonly kind: ClusterErrorKind,
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }

  /** Connection and access problems (exit 2 in the CLI) as opposed to refusals and failures (exit 1). */
  get isConnectionProblem(): boolean {
    return this.kind === 'kubeconfig' || this.kind === 'unreachable' || this.kind === 'unauthorized' || this.kind === 'forbidden' || this.kind === 'not-found';
  }
}

/** What a request was doing, for the message. */
export interface RequestContext {
  /** get, list, watch, patch… */
  verb: string;
  /** e.g. "virtualservices.networking.istio.io shop/reviews" or "services in shop". */
  resource: string;
  server: string;
  /** The request timeout, for the message when it ran out. */
  timeoutMs?: number;
}

/** A Kubernetes Status body, when the error carries one. */
function statusBody(error: unknown): { message?: string; reason?: string; code?: number } | undefined {
  const body = (error as { body?: unknown }).body;
  let parsed: unknown = body;
  if (typeof body === 'string') {
    try {
      parsed = JSON.parse(body);
    } catch {
      return undefined;
    }
  }
  if (parsed && typeof parsed === 'object' && (parsed as { kind?: unknown }).kind === 'Status')
    return parsed as { message?: string; reason?: string; code?: number };
  return undefined;
}

/** The HTTP status of a client-node error (ApiException.code, a watch's statusCode), if any. */
export function httpStatusOf(error: unknown): number | undefined {
  if (!error || typeof error !== 'object') return undefined;
  const e = error as { code?: unknown; statusCode?: unknown };
  if (typeof e.code === 'number') return e.code;
  if (typeof e.statusCode === 'number') return e.statusCode;
  return undefined;
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'UND_ERR_SOCKET']);

/** Turns any error of a request into a ClusterError whose message says what was being done where. */
export function toClusterError(error: unknown, context: RequestContext): ClusterError {
  if (error instanceof ClusterError) return error;
  const status = httpStatusOf(error);
  const body = statusBody(error);
  const detail = body?.message ? `: ${body.message}` : '';
  const what = `${context.verb} ${context.resource}`;
  switch (status) {
    case 401:
      return new ClusterError(
        'unauthorized',
        `the API server ${context.server} refused the credentials (401 Unauthorized) to ${what}; check the kubeconfig user`,
        401,
      );
    case 403:
      return new ClusterError('forbidden', `access denied (403 Forbidden): cannot ${what} on ${context.server}${detail}`, 403);
    case 404:
      return new ClusterError('not-found', `not found (404): ${context.resource} on ${context.server}${detail}`, 404);
    case 409:
      return new ClusterError('conflict', `conflict (409) to ${what}${detail}`, 409);
    case 400:
    case 422:
      return new ClusterError('invalid', `the API server rejected the request to ${what} (${status})${detail}`, status);
    default:
      break; // other statuses and network errors: below
  }
  if (status !== undefined) return new ClusterError('server', `the API server ${context.server} answered ${status} to ${what}${detail}`, status);
  const name = (error as { name?: unknown })?.name;
  if (name === 'AbortError' || name === 'TimeoutError')
    return new ClusterError(
      'unreachable',
      `the Kubernetes API server ${context.server} did not answer in time to ${what} (request timeout${context.timeoutMs ? ` ${context.timeoutMs / 1000} s` : ''}; see --request-timeout)`,
    );
  const code = String((error as { code?: unknown })?.code ?? (error as { errno?: unknown })?.errno ?? '');
  const message = error instanceof Error ? error.message : String(error);
  if (NETWORK_CODES.has(code) || /ECONNREFUSED|ENOTFOUND|ETIMEDOUT|EHOSTUNREACH|socket hang up|network|certificate|self.signed|TLS/i.test(message)) {
    const reason = code && NETWORK_CODES.has(code) ? code : message.replace(/^request to \S+ failed, reason: /, '');
    return new ClusterError('unreachable', `cannot reach the Kubernetes API server ${context.server} (${reason}) to ${what}`);
  }
  return new ClusterError('server', `${what} on ${context.server} failed: ${message}`);
}
