import { isMap, isPair, isScalar, isSeq, Scalar, type Node } from 'yaml';
import type { ManifestRule } from '../rule';
import { scalarTypeAt } from '../schema';
import type { Path, PathSegment } from '../yaml';

/** Plain words YAML 1.1 (kubectl, Helm: sigs.k8s.io/yaml) reads as booleans and YAML 1.2 (the editor, kustomize) as strings. */
const YAML11_BOOLEAN = /^(y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF)$/;
const TRUE = /^(y|yes|on)$/i;

/** Strings everywhere, also in kinds without a schema (CRDs). */
const isMetadataString = (path: Path): boolean =>
  path.length >= 3 && (path[path.length - 2] === 'labels' || path[path.length - 2] === 'annotations') && path[path.length - 3] === 'metadata';

const hasWord = (value: unknown): boolean =>
  typeof value === 'string' ? YAML11_BOOLEAN.test(value) : value !== null && typeof value === 'object' && Object.values(value).some(hasWord);

export const yamlBooleanString: ManifestRule = {
  id: 'yaml-boolean-string',
  severity: 'warning',
  summary: 'An unquoted yes/no/on/off/y/n: kubectl reads a boolean (YAML 1.1), the editor a string (YAML 1.2); in a string field the apply fails.',
  kinds: ['*'],
  check(object, _ctx, report) {
    const visit = (node: unknown, path: PathSegment[]): void => {
      if (isMap(node)) {
        for (const pair of node.items) if (isPair(pair) && isScalar(pair.key)) visit(pair.value, [...path, String(pair.key.value)]);
      } else if (isSeq(node)) {
        node.items.forEach((item, i) => visit(item, [...path, i]));
      } else if (isScalar(node) && node.type === Scalar.PLAIN && typeof node.value === 'string' && YAML11_BOOLEAN.test(node.value)) {
        check(node, path);
      }
    };
    const check = (node: Scalar, path: Path): void => {
      const word = node.value as string;
      const range = (node as Node).range;
      if (!range) return;
      const type = scalarTypeAt(object.apiVersion, object.kind, path) ?? (isMetadataString(path) ? 'string' : undefined);
      if (type === 'string') {
        report({
          path,
          message: `\`${word}\` is a boolean to kubectl and Helm (YAML 1.1) but a string here: the API server rejects the object ("cannot unmarshal bool into … of type string"), so the apply fails. Quote it: "${word}".`,
          fixes: [{ title: `Quote "${word}"`, edits: [{ start: range[0], end: range[1], newText: `"${word}"` }], preferred: true }],
        });
      } else if (type === 'boolean') {
        const value = TRUE.test(word) ? 'true' : 'false';
        report({
          path,
          message: `\`${word}\` is ${value} to kubectl (YAML 1.1) but the string "${word}" to YAML 1.2 tools (the editor, kustomize, yq), which may rewrite or reject it. Write ${value}.`,
          fixes: [{ title: `Write ${value}`, edits: [{ start: range[0], end: range[1], newText: value }], preferred: true }],
        });
      }
    };
    // The syntax tree only for the rare object that has such a word as a value.
    if (hasWord(object.data)) visit(object.doc.contents, []);
  },
};
