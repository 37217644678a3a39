/** The canary and prometheus sections of .rollout-guard.yaml, as `rollout-guard canary` and the Rollouts view read them. */
import fs from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { findConfigFile } from '../config-file';
import { ClusterError } from './errors';
import { validateSteps } from './weights';

export interface CanaryConfig {
  file?: string;
  steps?: number[];
  prometheusUrl?: string;
}

/** The canary and prometheus sections of .rollout-guard.yaml (the rest belongs to other commands). */
export function readCanaryConfig(cwd: string, explicit?: string): CanaryConfig {
  const file = explicit ? path.resolve(cwd, explicit) : findConfigFile(cwd);
  if (!file) return {};
  let raw: unknown;
  try {
    raw = parseYaml(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ClusterError(
      'kubeconfig',
      `cannot read the configuration ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message.split('\n')[0]}`,
    );
  }
  const config: CanaryConfig = { file };
  if (!raw || typeof raw !== 'object') return config;
  const record = raw as Record<string, unknown>;
  const canary = record.canary;
  if (canary !== undefined && canary !== null) {
    if (typeof canary !== 'object' || Array.isArray(canary))
      throw new ClusterError('config', `${file}: canary must be a mapping (steps: [5, 10, 25, 50, 100])`);
    const steps = (canary as Record<string, unknown>).steps;
    if (steps !== undefined)
      try {
        config.steps = validateSteps(steps, `${file}: canary.steps`);
      } catch (error) {
        throw new ClusterError('config', (error as Error).message);
      }
  }
  const prometheus = record.prometheus;
  if (typeof prometheus === 'string') config.prometheusUrl = prometheus;
  else if (prometheus && typeof prometheus === 'object' && typeof (prometheus as Record<string, unknown>).url === 'string')
    config.prometheusUrl = (prometheus as Record<string, string>).url;
  return config;
}
