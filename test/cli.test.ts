import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { repoRoot } from '../simulators/lsp-client';
import { temporaryDirectory, writeFiles } from '../simulators/temp';

const bin = path.join(repoRoot, 'bin/rollout-guard.js');
const fixtures = path.join(repoRoot, 'test/fixtures/cli');

function run(args: string[], cwd = fixtures): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('rollout-guard check', () => {
  let tmp: string;
  before(() => {
    tmp = temporaryDirectory('rg-cli-');
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('text: file:line:col severity rule message, exit 1 on findings', () => {
    const r = run(['check', 'unsafe.sql']);
    assert.equal(r.code, 1, r.stderr);
    const lines = r.stdout.trim().split('\n');
    assert.match(lines[0]!, /^unsafe\.sql:4:1 error require-concurrent-index-creation SHARE on orders: blocks writes/);
    // With lock_timeout set but no statement_timeout, the index build is also unbounded in time.
    assert.match(lines[1]!, /^unsafe\.sql:4:1 info require-statement-timeout No statement_timeout is set/);
    assert.match(lines[2]!, /^unsafe\.sql:5:20 error ban-drop-column Dropping column orders\.legacy_status/);
    assert.equal(lines.at(-1), '2 errors, 0 warnings, 1 note in 1 file checked');
  });

  it('an overlay checked alone renders with its base from outside the paths given; only the overlay files are reported', () => {
    const r = run(['check', 'overlays/prod', '--format', 'json'], path.join(repoRoot, 'test/fixtures/kustomize'));
    const findings = (JSON.parse(r.stdout) as { findings: { file: string; line: number; rule: string }[] }).findings;
    assert.deepEqual(
      findings.map((f) => `${f.file}:${f.line} ${f.rule}`),
      [
        'overlays/prod/kustomization.yaml:15 missing-pod-disruption-budget',
        'overlays/prod/rollout-patch.yaml:8 unsafe-rolling-update',
        'overlays/prod/rollout-patch.yaml:9 unknown-field',
      ],
    );
  });

  it('check --help says what check lints: migrations, manifests and embedded SQL', () => {
    const r = run(['check', '--help']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /check \[paths…\] +Lint migrations \(\.sql, PostgreSQL or MySQL\), Kubernetes, Istio and Argo\n +Rollouts manifests/);
  });

  it('exit 0 when nothing at error or warning level is found', () => {
    const r = run(['check', 'safe.sql']);
    assert.equal(r.code, 0, r.stdout);
    assert.equal(r.stdout, '0 errors, 0 warnings, 0 notes in 1 file checked\n');
  });

  it('json: exactly one object with 1-based positions', () => {
    const r = run(['check', '.', '--format', 'json']);
    assert.equal(r.code, 1);
    const parsed = JSON.parse(r.stdout) as { findings: Record<string, unknown>[] };
    assert.deepEqual(Object.keys(parsed), ['findings']);
    assert.deepEqual(parsed.findings[2], {
      file: 'unsafe.sql',
      rule: 'ban-drop-column',
      severity: 'error',
      line: 5,
      column: 20,
      endLine: 5,
      endColumn: 45,
      message: parsed.findings[2]!.message,
    });
    assert.equal(parsed.findings.length, 3);
  });

  it('sarif: valid 2.1.0 with rule metadata, help links and regions', () => {
    const r = run(['check', 'unsafe.sql', '--format', 'sarif']);
    assert.equal(r.code, 1);
    const log = JSON.parse(r.stdout);
    assert.equal(log.version, '2.1.0');
    const run0 = log.runs[0];
    const rules = run0.tool.driver.rules as { id: string; helpUri: string; shortDescription: { text: string } }[];
    assert.ok(rules.length >= 29);
    assert.equal(new Set(rules.map((r) => r.id)).size, rules.length);
    const result = run0.results[2];
    assert.equal(result.ruleId, 'ban-drop-column');
    assert.equal(rules[result.ruleIndex]!.id, 'ban-drop-column');
    assert.match(rules[result.ruleIndex]!.helpUri, /docs\/rules\/ban-drop-column\.md$/);
    assert.equal(result.level, 'error');
    assert.deepEqual(result.locations[0].physicalLocation, {
      artifactLocation: { uri: 'unsafe.sql' },
      region: { startLine: 5, startColumn: 20, endLine: 5, endColumn: 45 },
    });
  });

  it('a binary, non-UTF-8 or huge file is one finding for that file; the run goes on', () => {
    fs.writeFileSync(path.join(tmp, 'a-binary.sql'), Buffer.from([0x00, 0x01, 0x02, 0xff]));
    fs.writeFileSync(path.join(tmp, 'b-latin1.sql'), Buffer.from("SELECT 'caf\xe9';\n", 'latin1'));
    fs.writeFileSync(path.join(tmp, 'c-huge.sql'), Buffer.alloc(11 * 1024 * 1024, 0x20));
    fs.copyFileSync(path.join(fixtures, 'unsafe.sql'), path.join(tmp, 'd-unsafe.sql'));
    const r = run(['check', '.', '--format', 'json'], tmp);
    assert.equal(r.code, 1);
    const findings = (JSON.parse(r.stdout) as { findings: { file: string; rule: string; message: string }[] }).findings;
    assert.deepEqual(
      findings.map((f) => `${f.file} ${f.rule}`),
      [
        'a-binary.sql unreadable-file',
        'b-latin1.sql unreadable-file',
        'c-huge.sql unreadable-file',
        'd-unsafe.sql require-concurrent-index-creation',
        'd-unsafe.sql require-statement-timeout',
        'd-unsafe.sql ban-drop-column',
      ],
    );
    assert.match(findings[0]!.message, /binary/);
    assert.match(findings[1]!.message, /not valid UTF-8 \(first bad byte at offset 11\)/);
    assert.match(findings[2]!.message, /over the 10 MB limit/);
  });

  it('reads .rollout-guard.yaml and lets flags override it', () => {
    fs.mkdirSync(path.join(tmp, 'cfg'));
    fs.writeFileSync(path.join(tmp, 'cfg/.rollout-guard.yaml'), 'pgVersion: 10\nrules:\n  ban-drop-column: off\n');
    fs.writeFileSync(path.join(tmp, 'cfg/m.sql'), "SET lock_timeout = '1s';\nALTER TABLE t ADD COLUMN c bigint DEFAULT 0;\nALTER TABLE t DROP COLUMN d;\n");
    const withConfig = JSON.parse(run(['check', '--format', 'json'], path.join(tmp, 'cfg')).stdout).findings.map((f: { rule: string }) => f.rule);
    // PostgreSQL 10 rewrites the table for any DEFAULT: the rewrite also has no statement_timeout.
    assert.deepEqual(withConfig, ['require-statement-timeout', 'adding-field-with-default', 'prefer-robust-stmts', 'prefer-robust-stmts']);
    const withFlag = JSON.parse(run(['check', '--format', 'json', '--pg-version', '16'], path.join(tmp, 'cfg')).stdout).findings.map(
      (f: { rule: string }) => f.rule,
    );
    assert.deepEqual(withFlag, ['prefer-robust-stmts', 'prefer-robust-stmts']);
  });

  it('without --config, reads the configuration above the paths checked, else the one above the current folder', () => {
    const elsewhere = path.join(tmp, 'elsewhere');
    writeFiles(elsewhere, {
      '.git/HEAD': '',
      '.rollout-guard.yaml': 'rules:\n  ban-drop-column: off\n',
      'db/1.sql': "SET lock_timeout = '1s';\nALTER TABLE t DROP COLUMN d;\n",
    });
    writeFiles(path.join(tmp, 'here'), {
      '.rollout-guard.yaml': 'rules:\n  prefer-robust-stmts: off\n',
      'out/1.sql': "SET lock_timeout = '1s';\nALTER TABLE t DROP COLUMN d;\n",
    });
    const rules = (args: string[], cwd: string): string[] =>
      JSON.parse(run(['check', '--format', 'json', ...args], cwd).stdout).findings.map((f: { rule: string }) => f.rule);
    // The other repository's file, and a file given alone, read that repository's configuration.
    assert.deepEqual(rules([path.join(elsewhere, 'db')], path.join(tmp, 'here')), ['prefer-robust-stmts']);
    assert.deepEqual(rules([path.join(elsewhere, 'db/1.sql')], path.join(tmp, 'here')), ['prefer-robust-stmts']);
    // Paths with no configuration above them (up to their repository's root) use the current folder's.
    fs.rmSync(path.join(elsewhere, '.rollout-guard.yaml'));
    assert.deepEqual(rules([path.join(elsewhere, 'db')], path.join(tmp, 'here')), ['ban-drop-column']);
    // --config still wins.
    assert.deepEqual(rules(['out', '--config', '/dev/null'], path.join(tmp, 'here')).sort(), ['ban-drop-column', 'prefer-robust-stmts']);
  });

  it('a contract step that drops a column the application code still uses links to each use', () => {
    const repo = path.join(tmp, 'repo');
    fs.mkdirSync(path.join(repo, 'src'), { recursive: true });
    fs.mkdirSync(path.join(repo, 'migrations/payment'), { recursive: true });
    fs.writeFileSync(path.join(repo, 'src/orders.py'), 'def status(row):\n    return row["old_payment_status"]\n');
    // Not searched: what git ignores, and a project of its own inside this one.
    fs.writeFileSync(path.join(repo, '.gitignore'), '.cache/\n');
    fs.mkdirSync(path.join(repo, '.cache/copy'), { recursive: true });
    fs.writeFileSync(path.join(repo, '.cache/copy/orders.py'), 'x = "old_payment_status"\n');
    fs.mkdirSync(path.join(repo, 'tools/demo'), { recursive: true });
    fs.writeFileSync(path.join(repo, 'tools/demo/.rollout-guard.yaml'), 'pgVersion: 16\n');
    fs.writeFileSync(path.join(repo, 'tools/demo/orders.py'), 'x = "old_payment_status"\n');
    fs.writeFileSync(
      path.join(repo, 'migrations/payment/contract.sql'),
      "SET lock_timeout = '2s';\nALTER TABLE orders DROP COLUMN IF EXISTS old_payment_status;\n",
    );
    const r = run(['check', 'migrations', '--format', 'json'], repo);
    const findings = (JSON.parse(r.stdout) as { findings: { rule: string; line: number; related?: { file: string; line: number; column: number }[] }[] })
      .findings;
    const finding = findings.find((f) => f.rule === 'column-still-referenced');
    assert.ok(finding, JSON.stringify(findings));
    assert.equal(finding.line, 2);
    assert.deepEqual(
      finding.related?.map((x) => `${x.file}:${x.line}:${x.column}`),
      ['src/orders.py:2:17'],
    );
    assert.ok(!findings.some((f) => f.rule === 'ban-drop-column'), 'dropping is expected in a contract step');
  });

  it('a hostile dialects glob cannot hang check (matching is linear); an unreadable glob is a configuration error', () => {
    const dir = path.join(tmp, 'hostile');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, '.rollout-guard.yaml'), 'dialects:\n  "**/*a*a*a*a*a*a*a*a*a*a*b.sql": mysql\n');
    fs.writeFileSync(path.join(dir, `${'a'.repeat(40)}.sql`), 'SELECT 1;\n');
    // Killed after 20 s: with a backtracking matcher this takes minutes.
    const r = spawnSync(process.execPath, [bin, 'check', '.'], { cwd: dir, encoding: 'utf8', timeout: 20_000 });
    assert.equal(r.status, 0, `${r.signal ?? ''} ${r.stderr}`);
    assert.match(r.stdout, /in 2 files checked/);
    fs.writeFileSync(path.join(dir, '.rollout-guard.yaml'), 'dialects:\n  "db/{mysql": mysql\n');
    const bad = run(['check', '.'], dir);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /dialects\."db\/\{mysql" is not a glob Rollout Guard can read: unclosed "\{"/);
  });

  it('follows symbolic links to files and folders (a loop once); a dangling link, an unreadable folder, a FIFO and /dev/zero are findings', () => {
    const dir = path.join(tmp, 'links');
    const real = path.join(tmp, 'links-target');
    fs.mkdirSync(path.join(real, 'nested'), { recursive: true });
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(real, '0001.sql'), 'CREATE INDEX i ON orders (x);\n');
    fs.writeFileSync(path.join(real, 'nested/0002.sql'), 'ALTER TABLE orders DROP COLUMN legacy;\n');
    fs.symlinkSync(path.join(real, '0001.sql'), path.join(dir, 'linked.sql'));
    fs.symlinkSync(path.join(real, 'nested'), path.join(dir, 'nested'));
    fs.symlinkSync(dir, path.join(real, 'nested/back')); // a loop: links → nested → back → links
    fs.symlinkSync(path.join(tmp, 'nowhere.sql'), path.join(dir, 'dangling.sql'));
    const r = run(['check', '.', '--format', 'json'], dir);
    const findings = (JSON.parse(r.stdout) as { findings: { file: string; rule: string; message: string }[] }).findings;
    assert.deepEqual([...new Set(findings.map((f) => `${f.file} ${f.rule}`))].sort(), [
      'dangling.sql unreadable-file',
      'linked.sql require-concurrent-index-creation',
      'linked.sql require-lock-timeout',
      'linked.sql require-statement-timeout',
      'nested/0002.sql ban-drop-column',
      'nested/0002.sql require-lock-timeout',
    ]);
    assert.match(findings.find((f) => f.file === 'dangling.sql')!.message, /Symbolic link could not be followed \(ENOENT\)/);

    // As another user than root, so that permissions apply.
    const locked = path.join(tmp, 'locked');
    fs.mkdirSync(path.join(locked, 'secret'), { recursive: true });
    fs.writeFileSync(path.join(locked, 'ok.sql'), 'SELECT 1;\n');
    fs.writeFileSync(path.join(locked, 'secret/x.sql'), 'SELECT 1;\n');
    fs.chmodSync(path.join(locked, 'secret'), 0o000);
    fs.chmodSync(tmp, 0o755);
    const asUser = spawnSync(process.execPath, [bin, 'check', '.', '--format', 'json'], {
      cwd: locked,
      encoding: 'utf8',
      ...(process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {}),
    });
    fs.chmodSync(path.join(locked, 'secret'), 0o755);
    assert.equal(asUser.status, 1, asUser.stderr);
    assert.deepEqual(
      JSON.parse(asUser.stdout).findings.map((f: { file: string; rule: string }) => `${f.file} ${f.rule}`),
      ['secret unreadable-file'],
    );

    const fifo = path.join(tmp, 'pipe.sql');
    assert.equal(spawnSync('mkfifo', [fifo]).status, 0);
    const special = spawnSync(process.execPath, [bin, 'check', fifo, '/dev/zero', '--format', 'json'], { encoding: 'utf8', timeout: 20_000 });
    assert.equal(special.status, 1, `${special.signal ?? ''} ${special.stderr}`);
    const messages = JSON.parse(special.stdout).findings.map((f: { message: string }) => f.message);
    assert.deepEqual(messages, [
      'Not a regular file (a device, FIFO or socket); it was not checked.',
      'Not a regular file (a device, FIFO or socket); it was not checked.',
    ]);
  });

  it('control characters in file names and configuration keys are escaped in text output', () => {
    const dir = path.join(tmp, 'control');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'a\nb.sql'), 'DROP TABLE t;\n');
    fs.writeFileSync(path.join(dir, '\u001b[31mred.sql'), 'DROP TABLE t;\n');
    const r = run(['check', '.'], dir);
    assert.equal(r.code, 1);
    assert.ok(!r.stdout.includes('\u001b'), JSON.stringify(r.stdout));
    const lines = r.stdout.trim().split('\n');
    assert.ok(
      lines.some((l) => l.startsWith('a\\nb.sql:1:1 ')),
      JSON.stringify(lines),
    );
    assert.ok(
      lines.some((l) => l.startsWith('\\u001b[31mred.sql:1:1 ')),
      JSON.stringify(lines),
    );
    assert.ok(
      lines.every((l) => /^(\S+:\d+:\d+ |\d+ errors?,)/.test(l)),
      JSON.stringify(lines),
    );
    fs.writeFileSync(path.join(dir, '.rollout-guard.yaml'), '"\\e[2Jbad\\nkey": 1\n');
    const bad = run(['check', '.'], dir);
    assert.equal(bad.code, 2);
    assert.ok(!bad.stderr.includes('\u001b') && bad.stderr.trim().split('\n').length === 1, JSON.stringify(bad.stderr));
    assert.match(bad.stderr, /\\u001b\[2Jbad\\nkey/);
  });

  it("migrate with sslmode=require: the connection error in one line, without node-postgres' SSL warning", () => {
    const plan = path.join(tmp, 'ssl-plan');
    fs.mkdirSync(plan, { recursive: true });
    fs.writeFileSync(path.join(plan, 'expand.sql'), 'ALTER TABLE t ADD COLUMN x int;\n');
    const r = run(['migrate', 'status', plan, '--database-url', 'postgres://u@127.0.0.1:9/app?sslmode=require'], tmp);
    assert.equal(r.code, 2);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, /cannot connect to PostgreSQL at 127\.0\.0\.1:9/);
  });

  it('a path given that holds no file to check is exit 2, not a pass', () => {
    const empty = path.join(tmp, 'empty-folder');
    fs.mkdirSync(path.join(empty, 'sub'), { recursive: true });
    fs.writeFileSync(path.join(empty, 'README.md'), '# nothing to lint\n');
    const r = run(['check', 'empty-folder'], tmp);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /empty-folder: no file to check in it \(\.sql, \.yaml, \.yml\)/);
  });

  it('exit 2 on usage and configuration errors, with a specific message', () => {
    assert.equal(run(['check', '--format', 'xml', 'safe.sql']).code, 2);
    assert.equal(run(['frobnicate']).code, 2);
    const missing = run(['check', 'nope.sql']);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /nope\.sql: no such file or folder/);
    fs.writeFileSync(path.join(tmp, 'bad.yaml'), 'rules:\n  no-such-rule: error\n');
    const bad = run(['check', '--config', path.join(tmp, 'bad.yaml'), 'safe.sql']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /unknown rule "no-such-rule"/);
    const badVersion = run(['check', '--pg-version', 'eleven', 'safe.sql']);
    assert.equal(badVersion.code, 2);
    assert.match(badVersion.stderr, /pgVersion must be a PostgreSQL major version/);
  });

  it('every command reports a malformed .rollout-guard.yaml the same way: file, line, exit 2', () => {
    const dir = path.join(tmp, 'malformed-config');
    fs.mkdirSync(path.join(dir, '.git'), { recursive: true });
    fs.mkdirSync(path.join(dir, 'plan'));
    fs.writeFileSync(path.join(dir, 'plan/expand.sql'), 'SELECT 1;\n');
    fs.writeFileSync(path.join(dir, '.rollout-guard.yaml'), 'pgVersion: 16\nprometheus:\n  url: http://prometheus:9090\n  token: secret\n');
    const message = '.rollout-guard.yaml:4: unknown setting prometheus.token. Known: url, timeout.';
    for (const args of [
      ['check', 'plan'],
      ['gate', 'check', 'shop/web'],
      ['canary', 'status', 'shop/web'],
      ['migrate', 'status', 'plan'],
    ]) {
      const r = spawnSync(process.execPath, [bin, ...args], { cwd: dir, encoding: 'utf8', env: { PATH: process.env.PATH } });
      assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.ok(r.stderr.split('\n')[0]!.endsWith(`: ${message}`), `${args.join(' ')}: ${r.stderr}`);
    }
  });
});
