import type { FlagRead } from '../js/flag-reads';
import type { Fix, RuleMeta } from '../types';
import type { FlagDefinition, FlagSnapshot } from './snapshot';

/** A rule about one flag read, given the flag the snapshot has for its key (undefined: none). Reports on the key literal. */
export interface FlagRule extends RuleMeta {
  check(read: FlagRead, flag: FlagDefinition | undefined, snapshot: FlagSnapshot): { message: string; fixes?: Fix[] } | undefined;
}
