/** What the server keeps per open document between lints, dropped together when it closes. */
import { SqlLintMemo } from '../engine';
import { DiagnosticsJson, FixStore } from './convert';

export class DocumentCaches {
  /** The fixes of the last findings, for code actions. */
  readonly fixes = new FixStore();
  /** Per SQL document: the previous lint's results, so an edit re-checks only what it changed. */
  private readonly sqlMemos = new Map<string, SqlLintMemo>();
  /** Per document: the JSON text of its last diagnostics, reused for the ones that did not change. */
  private readonly diagnosticsJson = new Map<string, DiagnosticsJson>();
  /** Open TS/JS documents that are checked (SQL calls, or workloads configured), and so may have diagnostics. */
  readonly checkedCode = new Set<string>();

  sqlMemo(uri: string): SqlLintMemo {
    let memo = this.sqlMemos.get(uri);
    if (!memo) this.sqlMemos.set(uri, (memo = new SqlLintMemo()));
    return memo;
  }

  diagnosticsJsonFor(uri: string): DiagnosticsJson {
    let json = this.diagnosticsJson.get(uri);
    if (!json) this.diagnosticsJson.set(uri, (json = new DiagnosticsJson()));
    return json;
  }

  /** The document closed. */
  forget(uri: string): void {
    this.sqlMemos.delete(uri);
    this.diagnosticsJson.delete(uri);
    this.checkedCode.delete(uri);
    this.fixes.delete(uri);
  }
}
