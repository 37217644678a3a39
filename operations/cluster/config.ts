/** The canary and prometheus sections of .rollout-guard.yaml, as `rollout-guard canary` and the Rollouts view read them. */
import type { LoadedConfig } from '../../server/src/workspace/config-file';
import { validateSteps } from './weights';

export interface CanaryConfig {
  file?: string;
  steps?: number[];
  prometheusUrl?: string;
}

/** The canary and prometheus sections of a configuration file already read (or none). Throws ConfigError. */
export function canaryConfigFrom(file: LoadedConfig | undefined): CanaryConfig {
  if (!file) return {};
  const config: CanaryConfig = { file: file.path, prometheusUrl: file.sections.prometheus?.url };
  const steps = file.sections.canary?.steps;
  if (steps !== undefined)
    try {
      config.steps = validateSteps(steps, 'canary.steps');
    } catch (error) {
      throw file.errorAt(['canary', 'steps'], (error as Error).message);
    }
  return config;
}
