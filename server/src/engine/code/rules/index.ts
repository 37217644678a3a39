import type { CodeRule } from '../rule';
import { missingEnv } from './missing-env';

/** Rules on application code (TS/JS), run when `workloads:` maps the file to the workloads that run it. */
export const codeRules: readonly CodeRule[] = [missingEnv];
