/** Building YAML quick fixes: insert keys into a mapping with the right indentation. */
import { isMap, type Node } from 'yaml';
import type { ManifestEdit } from './rule';
import { nodeAt, type ManifestObject, type Path } from './yaml';

/** Column of a node's first character. */
function columnOf(text: string, offset: number): number {
  return offset - (text.lastIndexOf('\n', offset - 1) + 1);
}

/**
 * Inserts `lines` (YAML, indented relative to the mapping's keys) at the end of the block
 * mapping at `path`. Undefined when the mapping is missing or written in flow style ({…}).
 */
export function appendToMap(text: string, object: ManifestObject, path: Path, lines: string[]): ManifestEdit | undefined {
  const node = nodeAt(object.doc, path);
  if (!isMap(node) || node.flow || !node.items.length) return undefined;
  const firstKey = node.items[0]!.key as Node;
  if (!firstKey.range) return undefined;
  const indent = ' '.repeat(columnOf(text, firstKey.range[0]));
  const last = node.items[node.items.length - 1]!;
  const end = ((last.value as Node | null)?.range?.[1] ?? (last.key as Node).range![1]) as number;
  // Insert at the start of the line after the mapping's last content.
  const lineEnd = text.indexOf('\n', Math.max(end - 1, 0));
  const at = lineEnd < 0 ? text.length : lineEnd + 1;
  const prefix = lineEnd < 0 ? '\n' : '';
  return { start: at, end: at, newText: prefix + lines.map((l) => indent + l).join('\n') + '\n' };
}

/** Replaces the value at `path` (a scalar) with `value`. */
export function replaceValue(object: ManifestObject, path: Path, value: string): ManifestEdit | undefined {
  const node = nodeAt(object.doc, path);
  const range = node?.range;
  return range ? { start: range[0], end: range[1], newText: value } : undefined;
}
