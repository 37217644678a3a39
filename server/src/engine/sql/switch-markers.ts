/**
 * `invalid-switch-marker`: a `-- rollout-guard: switch flag=KEY …` comment the migration runner
 * would refuse (unreadable, outside the switch phase, or a second one), reported where it is
 * written so the editor shows what `migrate run` would say.
 */
import { engineSeverity } from '../registry';
import { phaseOfMarker, switchMarker, type PhaseName } from '../phases';
import type { EngineSettings, Finding } from '../types';
import type { SqlComment } from './split';

export function switchMarkerFindings(comments: readonly SqlComment[], settings: EngineSettings, filePhase: PhaseName | undefined): Finding[] {
  const severity = engineSeverity('invalid-switch-marker', settings);
  if (!severity) return [];
  const findings: Finding[] = [];
  let phase = filePhase;
  let bound: string | undefined;
  for (const comment of comments) {
    phase = phaseOfMarker(comment.text) ?? phase;
    const marker = switchMarker(comment.text);
    if (!marker) continue;
    const report = (message: string): void => void findings.push({ rule: 'invalid-switch-marker', severity, start: comment.start, end: comment.end, message });
    if ('error' in marker) report(`The switch marker cannot be read: ${marker.error}.`);
    else if (phase !== 'switch')
      report(
        `A switch marker belongs in the switch phase (switch.sql, or after "-- rollout-guard: phase switch"), not ${phase ? `in ${phase}` : 'outside a phase'}.`,
      );
    else if (bound) report(`The switch phase already binds flag ${bound}: one flag per switch phase.`);
    else bound = marker.binding.flag;
  }
  return findings;
}
