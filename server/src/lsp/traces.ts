/**
 * "Trace this migration" in the editor: the CodeLens over a PostgreSQL migration that asks the
 * client to trace it, and the locks the client sends back (`rolloutGuard/traced`), kept per
 * document with the text that was traced: the hover shows them while the document has that text.
 * The client runs the trace (it starts a PostgreSQL), so the lens is offered in a trusted
 * workspace only, as the client says at start and when trust is granted.
 */
import type { CodeLens } from 'vscode-languageserver/node';
import { TRACE_COMMAND, type MeasuredTrace } from '../engine';

export class MeasuredTraces {
  private readonly byUri = new Map<string, MeasuredTrace>();
  trusted = false;

  set(trace: MeasuredTrace): void {
    this.byUri.set(trace.uri, trace);
  }

  /** The trace of `uri` if the document still has the text that was traced. */
  of(uri: string, text: string): MeasuredTrace | undefined {
    const trace = this.byUri.get(uri);
    return trace?.text === text ? trace : undefined;
  }

  /** The lens at the top of a PostgreSQL migration: trace it, or what the last trace of this text found. */
  lenses(uri: string, text: string): CodeLens[] {
    if (!this.trusted) return [];
    const trace = this.of(uri, text);
    let title = 'Trace this migration';
    if (trace?.failure) title = `Trace stopped at line ${trace.failure.line}: PostgreSQL refused the statement · trace again`;
    else if (trace) title = `Traced: locks measured for ${trace.statements.length} statements (in the hover) · trace again`;
    const top = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
    return [{ range: top, command: { title, command: TRACE_COMMAND, arguments: [uri] } }];
  }
}
