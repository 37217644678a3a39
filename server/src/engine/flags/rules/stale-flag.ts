import type { FlagRule } from '../rule';
import { staleReason } from '../snapshot';

export const staleFlag: FlagRule = {
  id: 'stale-flag',
  severity: 'info',
  summary: 'A flag read of a flag that is stale: marked so in the flag service, or fully on (or off) everywhere for longer than flags.staleAfterDays.',
  kinds: ['flag-read'],
  check(read, flag, snapshot) {
    const reason = flag && staleReason(flag, snapshot);
    if (!reason) return undefined;
    return { message: `Flag "${read.key}" is stale: ${reason}. Remove the branch it no longer chooses, then the flag.` };
  },
};
