import type { FlagRule } from '../rule';
import { closestKeys } from '../snapshot';

export const unknownFlag: FlagRule = {
  id: 'unknown-flag',
  severity: 'warning',
  summary: 'A flag read names a key the flag service does not have: the code serves its default forever.',
  kinds: ['flag-read'],
  check(read, flag, snapshot) {
    if (flag) return undefined;
    const closest = closestKeys(read.key, snapshot);
    return {
      message: `Flag "${read.key}" does not exist in the flag service at ${snapshot.service}: this read always serves the code's default.${
        closest.length ? ` Did you mean ${closest.map((k) => `"${k}"`).join(' or ')}?` : ''
      }`,
      fixes: closest.map((key, i) => ({
        title: `Change to "${key}"`,
        edits: [{ start: read.start + 1, end: read.end - 1, newText: key }],
        ...(i === 0 ? { preferred: true } : {}),
      })),
    };
  },
};
