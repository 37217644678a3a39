/** A flag service snapshot for the flag rules' tests, and the findings of one rule on a text. */
import { defaultSettings, type Finding } from '../../types';
import { lintFlagReads } from '../lint';
import type { FlagDefinition, FlagSnapshot } from '../snapshot';

export const DAY = 24 * 60 * 60 * 1000;
export const NOW = Date.UTC(2026, 11, 4, 12);

const both = (production: [boolean, number], development: [boolean, number]): FlagDefinition['environments'] => [
  { environment: 'production', enabled: production[0], percent: production[1] },
  { environment: 'development', enabled: development[0], percent: development[1] },
];

export function snapshotOf(options: { staleAfterDays?: number } = {}): FlagSnapshot {
  return {
    service: 'http://unleash.test/api',
    environment: 'production',
    fetchedAt: NOW,
    staleAfterDays: options.staleAfterDays ?? 30,
    flags: [
      { key: 'payment-new-flow', stale: false, environments: both([false, 100], [true, 100]), changedAt: NOW - 100 * DAY, offValue: false },
      { key: 'checkout-v2', stale: false, environments: both([true, 25], [true, 25]), changedAt: NOW - 100 * DAY, offValue: false },
      { key: 'old-banner', stale: true, environments: both([true, 100], [true, 100]), changedAt: NOW - DAY, offValue: false },
      { key: 'fresh-on', stale: false, environments: both([true, 100], [true, 100]), changedAt: NOW - 12 * DAY, offValue: false },
      { key: 'long-off', stale: false, environments: both([false, 100], [true, 0]), changedAt: NOW - 90 * DAY, offValue: false },
      { key: 'no-off-value', stale: false, environments: both([true, 50], [true, 50]) },
    ],
  };
}

export function flagFindings(rule: string, text: string, snapshot: FlagSnapshot): Finding[] {
  return lintFlagReads(text, snapshot, defaultSettings).filter((f) => f.rule === rule);
}
