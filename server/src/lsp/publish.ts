/**
 * Sending diagnostics whose JSON is already built (see DiagnosticsJson): over stdio the message is
 * written from those bytes, so thousands of diagnostics are not turned into objects and serialised
 * again on every keystroke. Other transports (VS Code's IPC) serialise the objects, built on demand.
 */
import { StreamMessageWriter, type Message, type NotificationMessage } from 'vscode-languageserver/node';
import type { Diagnostic, PublishDiagnosticsParams } from 'vscode-languageserver';
import { diagnosticsArrayJson, type EncodedDiagnostics } from './convert';

const SERIALISED = Symbol('serialised JSON of the diagnostics');

interface SerialisedParams extends PublishDiagnosticsParams {
  [SERIALISED]: EncodedDiagnostics;
}

/** publishDiagnostics params carrying their diagnostics as JSON chunks; `diagnostics` is built only if read. */
export function serialisedDiagnostics(uri: string, version: number | undefined, json: EncodedDiagnostics): PublishDiagnosticsParams {
  let built: Diagnostic[] | undefined;
  const params = { uri, version, [SERIALISED]: json } as SerialisedParams;
  Object.defineProperty(params, 'diagnostics', {
    enumerable: true,
    get: () => (built ??= JSON.parse(diagnosticsArrayJson(json)) as Diagnostic[]),
  });
  return params;
}

/** The JSON of a message as UTF-8, using the diagnostics' bytes where they are already built. */
export function messageBytes(message: Message): Buffer {
  const params = (message as NotificationMessage).params as Partial<SerialisedParams> | undefined;
  const json = params && typeof params === 'object' ? params[SERIALISED] : undefined;
  if (json === undefined) return Buffer.from(JSON.stringify(message), 'utf8');
  const head = JSON.stringify({
    jsonrpc: message.jsonrpc,
    method: (message as NotificationMessage).method,
    params: { uri: params!.uri, version: params!.version },
  });
  // `…"params":{"uri":…,"version":…}}` → `…"params":{"uri":…,"version":…,"diagnostics":[…]}}`
  const start = `${head.slice(0, -2)},"diagnostics":[`;
  // One buffer written in place: no megabyte string, no copy of it.
  const buffer = Buffer.allocUnsafe(Buffer.byteLength(start) + json.bytes + 2);
  let at = buffer.write(start, 0, 'utf8');
  json.parts.forEach((part, i) => {
    if (i > 0) buffer[at++] = COMMA;
    buffer.set(part, at);
    at += part.length;
  });
  at += buffer.write(']}}', at, 'latin1');
  return buffer.subarray(0, at);
}

const COMMA = ','.charCodeAt(0);

/** A stdio message writer that writes pre-serialised diagnostics as they are. */
export function stdioWriter(output: NodeJS.WritableStream): StreamMessageWriter {
  return new StreamMessageWriter(output, {
    charset: 'utf-8',
    contentTypeEncoder: { name: 'application/json', encode: (message) => Promise.resolve(messageBytes(message as Message)) },
  });
}
