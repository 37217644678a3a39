/** The lint engine: text and settings in, findings out. No LSP, no VS Code, no I/O. */
import { lintSql } from './sql/lint';
import type { EngineSettings, Finding } from './types';

export { loadParser } from './sql/parse';
export { lintSql } from './sql/lint';
export * from './types';
export { ruleRegistry, allRuleIds } from './registry';
export { parseConfig, mergeSettings, validateSettings, ConfigError, CONFIG_FILE_NAME, type PartialSettings } from './config';
export { decodeFile, MAX_FILE_BYTES } from './files';
export { LineIndex } from './text';

const SQL_EXTENSIONS = /\.(sql|pgsql|psql)$/i;

export type FileKind = 'sql' | undefined;

export function fileKind(fileName: string): FileKind {
  return SQL_EXTENSIONS.test(fileName) ? 'sql' : undefined;
}

export interface LintRequest {
  fileName: string;
  text: string;
  settings: EngineSettings;
  isCancelled?: () => boolean;
}

/** Lints one file by its kind; files of other kinds give no findings. */
export function lintText(request: LintRequest): Finding[] {
  switch (fileKind(request.fileName)) {
    case 'sql':
      return lintSql(request.text, request.settings, { isCancelled: request.isCancelled });
    default:
      return [];
  }
}

export { hoverSql, type StatementHover } from './sql/hover';
