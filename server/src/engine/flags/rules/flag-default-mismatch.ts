import type { FlagRule } from '../rule';

export const flagDefaultMismatch: FlagRule = {
  id: 'flag-default-mismatch',
  severity: 'hint',
  summary: "A flag read's default in code differs from what the flag serves when off: the code takes the other path when the service is unreachable.",
  kinds: ['flag-read'],
  check(read, flag) {
    if (!flag || read.defaultValue === undefined || flag.offValue === undefined) return undefined;
    if (typeof read.defaultValue !== typeof flag.offValue || read.defaultValue === flag.offValue) return undefined;
    const shown = (v: boolean | number | string): string => JSON.stringify(v);
    return {
      message: `The default ${shown(read.defaultValue)} in code differs from what flag "${read.key}" serves when off (${shown(flag.offValue)}): when the flag service cannot be reached, this read takes the path the flag's off state does not.`,
    };
  },
};
