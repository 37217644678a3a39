/**
 * The application code of each project (see projectRootOf), read on first need (a contract
 * step) and kept current by watched files. What files.exclude or .gitignore leaves out is not read.
 */
import path from 'node:path';
import { FileChangeType } from 'vscode-languageserver/node';
import { URI } from 'vscode-uri';
import { CODE_FILE, CodeIndex, NOT_APPLICATION_CODE } from '../engine';
import { isIgnored, projectRootOf, scanFiles } from '../workspace/scan';

export class ApplicationCode {
  private readonly indexes = new Map<string, { folder: string; index: Promise<CodeIndex> }>();

  constructor(
    /** The workspace folder a path is in, if any. */
    private readonly folderOf: (file: string) => string | undefined,
    /** files.exclude of a workspace folder (its URI): the patterns switched on. */
    private readonly excludesOf: (folder: string) => Promise<string[]>,
    private readonly readText: (file: string) => Promise<string | undefined>,
  ) {}

  /** The code index of the project `file` belongs to; undefined outside the workspace folders. */
  for(file: string): Promise<CodeIndex> | undefined {
    const folder = this.folderOf(file);
    if (!folder) return undefined;
    const root = projectRootOf(file, folder);
    let entry = this.indexes.get(root);
    if (!entry) {
      const index = (async () => {
        const code = new CodeIndex();
        const { files } = await scanFiles(
          root,
          await this.excludesOf(URI.file(folder).toString()),
          (name, relative) => CODE_FILE.test(name) && !NOT_APPLICATION_CODE.test(relative),
          { ownProjectOnly: true, excludesBase: folder },
        );
        for (const f of files) {
          const text = await this.readText(f);
          if (text !== undefined) code.set(URI.file(f).toString(), text);
        }
        return code;
      })();
      this.indexes.set(root, (entry = { folder, index }));
    }
    return entry.index;
  }

  /** Code files changed on disk: updates the indexes built so far. True when one of them may have changed. */
  async update(changes: { uri: string; type: number }[]): Promise<boolean> {
    const code = changes.filter((c) => CODE_FILE.test(c.uri) && !NOT_APPLICATION_CODE.test(URI.parse(c.uri).fsPath));
    if (!code.length || !this.indexes.size) return false;
    for (const change of code) {
      const file = URI.parse(change.uri).fsPath;
      for (const [root, { folder, index }] of this.indexes) {
        // Only the project's own files: not those of a project nested in it.
        if (!file.startsWith(root + path.sep) || projectRootOf(file, folder) !== root) continue;
        const text =
          change.type === FileChangeType.Deleted || (await isIgnored(root, file, await this.excludesOf(URI.file(folder).toString()), folder))
            ? undefined
            : await this.readText(file);
        if (text === undefined) (await index).delete(change.uri);
        else (await index).set(change.uri, text);
      }
    }
    return true;
  }
}
