/**
 * Kubeconfig loading: an explicit file, KUBECONFIG (several files, merged as kubectl does) or
 * ~/.kube/config; a context other than the current one on request. In an untrusted workspace
 * credentials that run a program (exec) or an auth-provider plugin are refused, because a
 * kubeconfig inside the workspace could name any program.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { ClusterError } from './errors';

export interface KubeconfigOptions {
  /** An explicit kubeconfig file (the CLI's --kubeconfig, the extension's setting). */
  kubeconfig?: string;
  /** A context name; default the kubeconfig's current-context. */
  context?: string;
  /** Environment for KUBECONFIG and HOME (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** Resolve a relative `kubeconfig` against this folder (default process.cwd()). */
  cwd?: string;
  /** false refuses exec and auth-provider credentials (untrusted workspace). Default true. */
  trusted?: boolean;
}

export interface LoadedKubeconfig {
  kc: KubeConfig;
  /** Files read, in order. */
  files: string[];
  context: string;
  /** The context's cluster server URL. */
  server: string;
  /** The context's namespace, if it sets one. */
  namespace?: string;
  contexts: string[];
}

/** The kubeconfig files to read, as kubectl picks them. */
export function kubeconfigFiles(options: KubeconfigOptions = {}): string[] {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  if (options.kubeconfig) return [path.resolve(cwd, options.kubeconfig)];
  if (env.KUBECONFIG)
    return env.KUBECONFIG.split(path.delimiter)
      .filter(Boolean)
      .map((f) => path.resolve(cwd, f));
  return [path.join(env.HOME ?? os.homedir(), '.kube', 'config')];
}

export function loadKubeconfig(options: KubeconfigOptions = {}): LoadedKubeconfig {
  const candidates = kubeconfigFiles(options);
  const files = options.kubeconfig ? candidates : candidates.filter((f) => fs.existsSync(f));
  if (files.length === 0)
    throw new ClusterError('kubeconfig', `no kubeconfig found (looked for ${candidates.join(', ')}); give --kubeconfig FILE or set KUBECONFIG`);
  const kc = new KubeConfig();
  for (const file of files) {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (error) {
      throw new ClusterError('kubeconfig', `cannot read the kubeconfig ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
    const one = new KubeConfig();
    try {
      one.loadFromString(text);
    } catch (error) {
      throw new ClusterError('kubeconfig', `the kubeconfig ${file} is not valid: ${(error as Error).message.split('\n')[0]}`);
    }
    // As kubectl merges KUBECONFIG files: the first definition of a name wins, and the first current-context.
    // A plain-http server (kubectl proxy, a local stand-in) has no TLS to verify: kubectl talks to
    // it as it is, while @kubernetes/client-node refuses it unless skipTLSVerify is set.
    for (const cluster of one.getClusters())
      if (!kc.getCluster(cluster.name)) kc.addCluster(cluster.server?.startsWith('http:') ? { ...cluster, skipTLSVerify: true } : cluster);
    for (const user of one.getUsers()) if (!kc.getUser(user.name)) kc.addUser(user);
    for (const context of one.getContexts()) if (!kc.getContextObject(context.name)) kc.addContext(context);
    if (!kc.getCurrentContext() && one.getCurrentContext()) kc.setCurrentContext(one.getCurrentContext());
  }
  const contexts = kc.getContexts().map((c) => c.name);
  const contextName = options.context ?? kc.getCurrentContext();
  if (!contextName)
    throw new ClusterError(
      'kubeconfig',
      `the kubeconfig ${files.join(', ')} has no current-context; choose one with --context (${contexts.join(', ') || 'none defined'})`,
    );
  const context = kc.getContextObject(contextName);
  if (!context) throw new ClusterError('kubeconfig', `no context "${contextName}" in ${files.join(', ')} (contexts: ${contexts.join(', ') || 'none'})`);
  kc.setCurrentContext(contextName);
  const cluster = kc.getCluster(context.cluster);
  if (!cluster?.server)
    throw new ClusterError('kubeconfig', `context "${contextName}" names cluster "${context.cluster}", which has no server in ${files.join(', ')}`);
  const user = kc.getUser(context.user);
  if (options.trusted === false && user && (user.exec || user.authProvider))
    throw new ClusterError(
      'kubeconfig',
      `context "${contextName}" gets its credentials from ${user.exec ? `a program (exec: ${String((user.exec as { command?: unknown }).command ?? '?')})` : `the auth provider "${String((user.authProvider as { name?: unknown }).name ?? '?')}"`}; programs are not run for an untrusted workspace — trust the workspace to use this context`,
    );
  return { kc, files, context: contextName, server: cluster.server, namespace: context.namespace, contexts };
}
