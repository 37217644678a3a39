import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { Finding } from '../engine';
import { DiagnosticsJson, diagnosticsArrayJson, findingsToPublish, toDiagnostic, type EncodedDiagnostics } from './convert';
import { messageBytes, serialisedDiagnostics } from './publish';

const parse = (json: EncodedDiagnostics | Buffer): unknown => {
  if (Buffer.isBuffer(json)) return JSON.parse(json.toString('utf8'));
  const text = diagnosticsArrayJson(json);
  assert.equal(Buffer.byteLength(text), json.bytes);
  return JSON.parse(text);
};

const TEXT = [
  '-- rollout-guard-ignore nothing-here',
  'ALTER TABLE orders',
  '  DROP COLUMN a,',
  '  DROP COLUMN "ü ""b""";',
  "SET lock_timeout = '1s';",
  '',
].join('\n');

/** Findings with every optional part a diagnostic can carry. */
function findings(shift: number): Finding[] {
  const at = (s: string): number => TEXT.indexOf(s) + shift;
  return [
    { rule: 'unused-ignore', severity: 'info', start: 3, end: 36, message: 'rollout-guard-ignore nothing-here suppresses nothing.' },
    {
      rule: 'ban-drop-column',
      severity: 'warning',
      start: at('DROP COLUMN a'),
      end: at('DROP COLUMN a') + 13,
      message: 'Dropping "a" breaks readers.',
      unitStart: at('ALTER'),
    },
    {
      rule: 'ban-drop-column',
      severity: 'error',
      start: at('DROP COLUMN "'),
      end: at('DROP COLUMN "') + 22,
      message: 'Dropping "ü \\"b\\"" breaks readers.\nSecond line.',
      unitStart: at('ALTER'),
      relatedHere: [{ start: at('ALTER'), end: at('ALTER') + 5, message: 'the statement' }],
      related: [{ file: 'file:///k8s/app.yaml', start: { line: 3, character: 2 }, end: { line: 3, character: 9 }, message: 'reads it' }],
    },
    { rule: 'require-lock-timeout', severity: 'hint', start: at('SET'), end: at('SET'), message: 'Dropping "a" breaks readers.' },
  ];
}

describe('DiagnosticsJson', () => {
  it('gives the JSON of toDiagnostic, also when reusing what it built for moved findings', () => {
    const json = new DiagnosticsJson();
    for (const prefix of ['', ' ', '\n\n', '  ', '\r\n', '']) {
      const doc = TextDocument.create('file:///m.sql', 'sql', 1, prefix + TEXT);
      const list = findings(prefix.length);
      assert.deepEqual(parse(json.encode(doc, list)), JSON.parse(JSON.stringify(list.map((f) => toDiagnostic(doc, f)))), `prefix ${JSON.stringify(prefix)}`);
    }
  });

  it('places findings exactly as TextDocument does, with any line breaks, after random edits', () => {
    let seed = 11;
    const next = (): number => ((seed = (seed * 1103515245 + 12345) % 2147483648), seed / 2147483648);
    const json = new DiagnosticsJson();
    let text = 'SELECT 1;\r\nSELECT 2;\rSELECT 3;\n\nSELECT 4;';
    let findings: Finding[] = [];
    for (let step = 0; step < 200; step++) {
      const at = Math.floor(next() * (text.length + 1));
      text = text.slice(0, at) + ['x', '\n', '\r', '\r\n', ''][Math.floor(next() * 5)]! + text.slice(at);
      // Keep most findings (same objects), move some, add some: sorted by start like the engine's.
      findings = findings.filter(() => next() < 0.8).map((f) => (next() < 0.3 ? { ...f, start: Math.min(f.start + 1, text.length) } : f));
      for (let k = 0; k < 3; k++) {
        const start = Math.floor(next() * (text.length + 1));
        const end = start + Math.floor(next() * 12);
        findings.push({ rule: 'ban-drop-column', severity: 'warning', start, end, message: `m${k}`, unitStart: Math.floor(next() * (start + 1)) });
      }
      findings.sort((a, b) => a.start - b.start);
      const doc = TextDocument.create('file:///r.sql', 'sql', step, text);
      assert.deepEqual(parse(json.encode(doc, findings)), JSON.parse(JSON.stringify(findings.map((f) => toDiagnostic(doc, f)))), `step ${step}`);
    }
  });

  it('writes a publishDiagnostics message with the pre-built diagnostics as its params', () => {
    const doc = TextDocument.create('file:///m.sql', 'sql', 7, TEXT);
    const list = findings(0);
    const params = serialisedDiagnostics(doc.uri, 7, new DiagnosticsJson().encode(doc, list));
    const message = { jsonrpc: '2.0', method: 'textDocument/publishDiagnostics', params };
    const expected = {
      jsonrpc: '2.0',
      method: 'textDocument/publishDiagnostics',
      params: { uri: doc.uri, version: 7, diagnostics: list.map((f) => toDiagnostic(doc, f)) },
    };
    assert.deepEqual(parse(messageBytes(message)), JSON.parse(JSON.stringify(expected)));
    // Transports that serialise the object (VS Code's IPC) see the same diagnostics.
    assert.deepEqual(JSON.parse(JSON.stringify(message)), JSON.parse(JSON.stringify(expected)));
    const unversioned = { ...message, params: serialisedDiagnostics(doc.uri, undefined, { parts: [], bytes: 2 }) };
    assert.deepEqual(parse(messageBytes(unversioned)), { ...message, params: { uri: doc.uri, diagnostics: [] } });
  });
});

describe('findingsToPublish', () => {
  const finding = (start: number, severity: Finding['severity']): Finding => ({
    rule: 'ban-drop-column',
    severity,
    start,
    end: start + 1,
    message: `at ${start}`,
  });
  const list = [finding(0, 'hint'), finding(10, 'warning'), finding(20, 'error'), finding(30, 'info'), finding(40, 'warning'), finding(50, 'error')];

  it('publishes every finding when they fit', () => {
    assert.equal(findingsToPublish(list, 6), list);
  });

  it('keeps what VS Code would keep (errors, then warnings, in file order), one fewer, after a note with the count', () => {
    const published = findingsToPublish(list, 4);
    assert.equal(published.length, 4);
    const [note, ...kept] = published;
    assert.deepEqual(
      kept.map((f) => f.message),
      ['at 10', 'at 20', 'at 50'],
    );
    assert.equal(note!.rule, 'too-many-findings');
    assert.equal(note!.severity, 'info');
    assert.equal(note!.start, 0);
    assert.match(note!.message, /^Showing 3 of 6 findings in this file, errors first\. `rollout-guard check` lists them all/);
    assert.deepEqual(
      findingsToPublish(list, 1).map((f) => f.rule),
      ['too-many-findings'],
    );
  });
});
