import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { envReads, scanEnvFile, type EnvScan } from './env-reads';

/** Reads of `text` as `NAME guard [helper] [after A,B]` with the text of their range. */
function reads(text: string, files: Record<string, string> = {}): string[] {
  const scans = new Map<string, EnvScan>(Object.entries(files).map(([name, t]) => [name, scanEnvFile(t)]));
  return envReads(scanEnvFile(text), (specifier) => scans.get(specifier)).map(
    (r) =>
      `${r.name} ${r.guard}${r.helper ? ` via ${r.helper}` : ''}${r.alternatives.length ? ` after ${r.alternatives.join(',')}` : ''}${r.when.length ? ` when ${r.when.join(',')}` : ''} @${text.slice(r.start, r.end)}`,
  );
}

describe('environment reads in TS/JS', () => {
  it('reads process.env.NAME, process.env[constant] and optional chaining, on the name', () => {
    assert.deepEqual(
      reads(
        "const a = process.env.API_URL;\nconst b = process.env['DB_URL'];\nconst c = process.env[`TOKEN`];\nuse(process?.env?.REGION);\nconst hosts = process.env.HOSTS?.split(',');",
      ),
      ['API_URL none @API_URL', "DB_URL none @'DB_URL'", 'TOKEN none @`TOKEN`', 'REGION none @REGION', 'HOSTS checked @HOSTS'],
    );
  });

  it('reads nothing it cannot name: a variable key, a template with substitutions, a write, a delete, a method', () => {
    assert.deepEqual(
      reads(
        'const k = process.env[key];\nconst t = process.env[`${service}_URL`];\nprocess.env.MODE = "x";\ndelete process.env.OLD;\nprocess.env.hasOwnProperty("A");',
      ),
      [],
    );
  });

  it('reads nothing in comments and strings', () => {
    assert.deepEqual(reads('// process.env.A\n/* process.env.B */\nconst s = "process.env.C";\nconst t = `process.env.D`;'), []);
  });

  it('destructuring: names, renames, string keys and defaults (a default is a fallback)', () => {
    assert.deepEqual(reads("const { HOST, PORT: port, 'LOG-LEVEL': level, MODE = 'dev', ...rest } = process.env;\nlisten(HOST, port);"), [
      'HOST none @HOST',
      'PORT none @PORT',
      "LOG-LEVEL none @'LOG-LEVEL'",
      'MODE fallback @MODE',
    ]);
  });

  it('fallbacks: ??, ||, ??=, and a call wrapping the read', () => {
    assert.deepEqual(
      reads(
        [
          "const a = process.env.A ?? 'x';",
          "const b = process.env.B || 'y';",
          'const c = Number(process.env.C) || 3000;',
          'const d = parseInt(process.env.D, 10) ?? 1;',
          "process.env.E ??= 'z';",
          "const { F } = process.env; const f = F ?? 'f';",
          "const g = process.env.G as string ?? 'g';",
        ].join('\n'),
      ),
      ['A fallback @A', 'B fallback @B', 'C fallback @C', 'D fallback @D', 'E fallback @E', 'F fallback @F', 'G fallback @G'],
    );
  });

  it('A || B: A has its fallback, B matters only when A is unset too', () => {
    assert.deepEqual(reads('const url = process.env.PAYMENTS_URL || process.env.LEGACY_PAYMENTS_URL;'), [
      'PAYMENTS_URL fallback @PAYMENTS_URL',
      'LEGACY_PAYMENTS_URL none after PAYMENTS_URL @LEGACY_PAYMENTS_URL',
    ]);
  });

  it('checked before use: !x, comparisons, typeof, `in`, if (x), x ? :, x &&, through a variable too', () => {
    assert.deepEqual(
      reads(
        [
          'if (!process.env.A) throw new Error("A");',
          'if (process.env.B === undefined) return;',
          "if ('C' in process.env) use(process.env.C);",
          'if (typeof process.env.D !== "string") return;',
          'if (process.env.E) start();',
          'const f = process.env.F ? 1 : 2;',
          'process.env.G && init();',
          'const dsn = process.env.SENTRY_DSN;',
          'if (dsn) Sentry.init({ dsn });',
          "if (process.env.NODE_ENV !== 'production') debug();",
        ].join('\n'),
      ),
      [
        'A checked @A',
        'B checked @B',
        'C checked @C',
        'D checked @D',
        'E checked @E',
        'F checked @F',
        'G checked @G',
        'SENTRY_DSN checked @SENTRY_DSN',
        'NODE_ENV checked @NODE_ENV',
      ],
    );
  });

  it('a read inside an if block whose condition reads other variables runs only when they are set (not under a negated condition)', () => {
    assert.deepEqual(
      reads(
        [
          'if (process.env.ENABLE_TRACING == "1") {',
          '  const url = process.env.COLLECTOR_SERVICE_ADDR;',
          "  if (flag('X')) start(process.env.TRACE_RATE);",
          '}',
          'const port = process.env.PORT;',
          'if (!process.env.LOCAL) connect(process.env.DATABASE_URL);',
          'if (process.env.MODE === undefined) connect(process.env.REMOTE_URL);',
        ].join('\n'),
      ),
      [
        'ENABLE_TRACING checked @ENABLE_TRACING',
        'COLLECTOR_SERVICE_ADDR none when ENABLE_TRACING @COLLECTOR_SERVICE_ADDR',
        'TRACE_RATE none when ENABLE_TRACING @TRACE_RATE',
        'PORT none @PORT',
        'LOCAL checked @LOCAL',
        'DATABASE_URL none @DATABASE_URL',
        'MODE checked @MODE',
        'REMOTE_URL none @REMOTE_URL',
      ],
    );
  });

  it('through an alias of process.env', () => {
    assert.deepEqual(reads("import { env } from 'node:process';\nconst a = env.A;\nconst e = process.env;\nconst b = e['B'];\nconst { C } = e;"), [
      'A none @A',
      "B none @'B'",
      'C none @C',
    ]);
  });

  it('helpers that read process.env[param]: called with a constant it is a read, otherwise nothing', () => {
    const text = [
      'function requireEnv(name: string): string {',
      '  const value = process.env[name];',
      '  if (!value) throw new Error(`${name} is not set`);',
      '  return value;',
      '}',
      'const env = (name, fallback) => process.env[name] ?? fallback;',
      'const optional = (name: string): string | undefined => process.env[name];',
      "const a = requireEnv('PAYMENTS_URL');",
      'const b = requireEnv(key);',
      'const c = requireEnv(`${prefix}_URL`);',
      'const d = requireEnv(`STRIPE_KEY`);',
      "const e = env('MODE', 'dev');",
      "const f = env('REGION');",
      "const g = env('ZONE', undefined);",
      "const h = optional('FEATURES') ?? '';",
      "const i = optional('TRACE');",
      "// requireEnv('IN_COMMENT')",
    ].join('\n');
    assert.deepEqual(reads(text), [
      "PAYMENTS_URL none via requireEnv @'PAYMENTS_URL'",
      'STRIPE_KEY none via requireEnv @`STRIPE_KEY`',
      "MODE fallback via env @'MODE'",
      "REGION none via env @'REGION'",
      "ZONE none via env @'ZONE'",
      "FEATURES fallback via optional @'FEATURES'",
      "TRACE none via optional @'TRACE'",
    ]);
  });

  it('a helper with a default parameter, or its own fallback, guards every call; a checking helper that does not throw gives hints', () => {
    const text = [
      "export function setting(name, fallback = '') { return process.env[name] || fallback; }",
      "export const flag = (name) => process.env[name] === 'true';",
      "setting('A');",
      "flag('B');",
    ].join('\n');
    assert.deepEqual(reads(text), ["A fallback via setting @'A'", "B checked via flag @'B'"]);
  });

  it('helpers imported from another file: named, renamed, namespace, require', () => {
    const helpers = { './env': 'export function requireEnv(name) { const v = process.env[name]; if (v === undefined) process.exit(1); return v; }' };
    assert.deepEqual(
      reads(
        [
          "import { requireEnv } from './env';",
          "import { requireEnv as need } from './env';",
          "import * as config from './env';",
          "const { requireEnv: must } = require('./env');",
          "requireEnv('A'); need('B'); config.requireEnv('C'); must('D');",
          "other.requireEnv('E'); unknown('F');",
        ].join('\n'),
        helpers,
      ),
      ["A none via requireEnv @'A'", "B none via need @'B'", "C none via config.requireEnv @'C'", "D none via must @'D'"],
    );
  });

  it('a large hostile file is read in linear time: deep nesting, long literals, one variable used everywhere', () => {
    const text = [
      'a('.repeat(5_000) + "process.env['DEEP']" + ')'.repeat(5_000) + ';',
      `const config = { ${Array.from({ length: 5_000 }, (_, i) => `k${i}: process.env.K${i}`).join(', ')} };`,
      ...Array.from({ length: 5_000 }, (_, i) => `const x = process.env.V${i};\nif (x) { use(process.env.W${i}); }`),
    ].join('\n');
    const started = process.hrtime.bigint();
    const found = envReads(scanEnvFile(text), () => undefined);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    assert.equal(found.length, 1 + 5_000 + 10_000);
    assert.ok(seconds < 5, `took ${seconds.toFixed(1)} s`);
  });
});
