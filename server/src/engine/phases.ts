/**
 * Migration phases: expand → backfill → switch → contract. A plan is a folder with one file per
 * phase (`expand.sql` …) or one file with `-- rollout-guard: phase <name>` markers. The linter
 * and the migration runner both read phases through this module, so they agree on what belongs
 * to which phase.
 */

export const PHASES = ['expand', 'backfill', 'switch', 'contract'] as const;
export type PhaseName = (typeof PHASES)[number];

export function isPhaseName(name: string): name is PhaseName {
  return (PHASES as readonly string[]).includes(name);
}

/** The file of a plan folder that holds a phase. */
export const phaseFileName = (phase: PhaseName): string => `${phase}.sql`;

/** The phase a file of a plan folder holds (`migrations/<plan>/expand.sql` …), or undefined. */
export function phaseOfFile(fileName: string): PhaseName | undefined {
  const base = fileName.slice(Math.max(fileName.lastIndexOf('/'), fileName.lastIndexOf('\\')) + 1);
  return PHASES.find((phase) => phaseFileName(phase) === base);
}

/** A comment that is a whole `rollout-guard: phase <name>` marker (`--`, `#` or `/* … *\/`); group 1 is the name. */
const MARKER = /^(?:--|#|\/\*)[ \t]*rollout-guard:[ \t]*phase\b[ \t]*(.*?)[ \t]*(?:\*\/)?[ \t\r]*$/i;

/**
 * The phase name a marker comment gives, as written (it may be no phase at all: `phase cleanup`;
 * names are read case-insensitively), or undefined when the comment is no phase marker.
 */
export function phaseMarker(comment: string): string | undefined {
  return MARKER.exec(comment.trim())?.[1];
}

/** The phase a marker comment starts, or undefined (no marker, or not a phase name). */
export function phaseOfMarker(comment: string): PhaseName | undefined {
  const name = phaseMarker(comment)?.toLowerCase();
  return name !== undefined && isPhaseName(name) ? name : undefined;
}

/** Lines that may hold a phase marker: a comment line naming `rollout-guard: phase`. */
const MARKER_LINES = /^[ \t]*(?:--|#|\/\*).*rollout-guard:[ \t]*phase\b.*$/gim;

/** The phase marker lines of a text: the name as written (see phaseMarker) and the 0-based line. */
export function phaseMarkerLines(text: string): { name: string; line: number }[] {
  // Most files have no marker: one plain search before reading lines.
  if (!/rollout-guard:[ \t]*phase/i.test(text)) return [];
  return [...text.matchAll(MARKER_LINES)].flatMap((match) => {
    const name = phaseMarker(match[0]);
    return name === undefined ? [] : [{ name, line: text.slice(0, match.index).split('\n').length - 1 }];
  });
}

/** A contract step: contract.sql of a plan, or a file with a `-- rollout-guard: phase contract` marker. */
export function isContractStep(fileName: string, text: string): boolean {
  return phaseOfFile(fileName) === 'contract' || phaseMarkerLines(text).some((marker) => marker.name.toLowerCase() === 'contract');
}

/**
 * The switch phase's flag: `-- rollout-guard: switch flag=KEY [steps=10,50,100] [interval=5m]`
 * in switch.sql (or after a `phase switch` marker). Running the phase ramps the flag through the
 * steps, waiting `interval` between them; contract waits until the flag is fully on.
 */
export interface SwitchBinding {
  flag: string;
  /** Rollout percentages in increasing order, the last one 100. */
  steps: number[];
  /** The wait between steps as written (5m) and in milliseconds. */
  interval: string;
  intervalMs: number;
}

export const DEFAULT_SWITCH_STEPS = [10, 50, 100];
export const DEFAULT_SWITCH_INTERVAL = '5m';

/** A comment that is a whole switch marker; group 1 is its `key=value` list. */
const SWITCH_MARKER = /^(?:--|#|\/\*)[ \t]*rollout-guard:[ \t]*switch(?=[ \t\r]|\*\/|$)(.*?)[ \t]*(?:\*\/)?[ \t\r]*$/i;
/** Flag keys as the flag services allow them (Unleash: URL-safe names; LaunchDarkly keys; flagd keys). */
const FLAG_KEY = /^[A-Za-z0-9][A-Za-z0-9._:~-]*$/;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** The binding a switch marker comment gives, its error, or undefined when the comment is no switch marker. */
export function switchMarker(comment: string): { binding: SwitchBinding } | { error: string } | undefined {
  const match = SWITCH_MARKER.exec(comment.trim());
  if (!match) return undefined;
  const options = new Map<string, string>();
  for (const part of match[1]!.trim().split(/\s+/).filter(Boolean)) {
    const option = /^(flag|steps|interval)=(.*)$/.exec(part);
    if (!option) return { error: `unknown switch option "${part}": the marker is "rollout-guard: switch flag=KEY [steps=10,50,100] [interval=5m]"` };
    if (options.has(option[1]!)) return { error: `${option[1]}= is given twice` };
    options.set(option[1]!, option[2]!);
  }
  const flag = options.get('flag');
  if (!flag) return { error: 'the switch marker names no flag: write "rollout-guard: switch flag=KEY"' };
  if (!FLAG_KEY.test(flag)) return { error: `"${flag}" is not a flag key (letters, digits and . _ : ~ -)` };
  const stepsText = options.get('steps');
  const steps = stepsText === undefined ? DEFAULT_SWITCH_STEPS : stepsText.split(',').map((s) => (/^\d{1,3}$/.test(s) ? Number(s) : NaN));
  if (steps.some((s) => !(s >= 1 && s <= 100))) return { error: `steps=${stepsText} must be percentages from 1 to 100, separated by commas` };
  if (steps.some((s, i) => i > 0 && s <= steps[i - 1]!)) return { error: `steps=${stepsText} must increase` };
  if (steps.at(-1) !== 100) return { error: `steps=${stepsText} must end at 100: contract waits until the flag is fully on` };
  const interval = options.get('interval') ?? DEFAULT_SWITCH_INTERVAL;
  if (!/^(\d+(ms|s|m|h))+$/.test(interval)) return { error: `interval=${interval} is not a duration such as 30s, 5m or 1h` };
  const intervalMs = [...interval.matchAll(/(\d+)(ms|s|m|h)/g)].reduce((total, [, n, unit]) => total + Number(n) * UNIT_MS[unit!]!, 0);
  return { binding: { flag, steps, interval, intervalMs } };
}
