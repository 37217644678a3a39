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
