import type { FlagRule } from '../rule';
import { flagDefaultMismatch } from './flag-default-mismatch';
import { staleFlag } from './stale-flag';
import { unknownFlag } from './unknown-flag';

/** Every rule about flag reads, one per file in this folder. */
export const flagRules: readonly FlagRule[] = [unknownFlag, staleFlag, flagDefaultMismatch];
