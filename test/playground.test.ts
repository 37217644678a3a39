/**
 * The README's first command, run as a new user runs it: `npm start` with stdin not a terminal,
 * in a process group of its own. Its URL must answer, the Kubernetes stand-in too; Ctrl-C
 * (SIGINT to the group) must leave no process and no temporary file behind.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { repoRoot } from '../simulators/lsp-client';
import { removeTemporaryDirectory, temporaryDirectory } from '../simulators/temp';

function get(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    http.get(url, (res) => (res.resume(), resolve(res.statusCode ?? 0))).on('error', reject);
  });
}

/** Live processes (not zombies) whose process group is `group`, read from /proc (pid and command line). */
function processesInGroup(group: number): string[] {
  const found: string[] = [];
  for (const pid of fs.readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      // pid (comm) state ppid pgrp …: comm may hold spaces and parentheses, so split after its last ')'.
      const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // A zombie has ended; only its parent's wait is left.
      if (Number(pgrp) === group && state !== 'Z') found.push(`${pid} ${fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').trim()}`);
    } catch {
      // The process ended while being read.
    }
  }
  return found;
}

/** npm's own variables describe the npm running the tests; a user's shell has none. */
function userEnvironment(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k) && k !== 'INIT_CWD'));
  return { ...env, ...extra };
}

describe('npm start (the playground) as a new user runs it', () => {
  let start: ChildProcess;
  let tmp: string;
  let home: string;
  let output = '';
  let exited: Promise<string>;

  before(() => {
    tmp = temporaryDirectory('rg-start-tmp-');
    // Like /tmp: PostgreSQL runs as its own user and reads files put here.
    fs.chmodSync(tmp, 0o1777);
    home = temporaryDirectory('rg-start-home-');
    start = spawn('npm', ['start'], {
      cwd: repoRoot,
      // Its own process group, as a shell gives a foreground job; TMPDIR shows what it leaves.
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: userEnvironment({ TMPDIR: tmp, ROLLOUT_GUARD_PLAYGROUND_HOME: home }),
    });
    start.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    start.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    // 'close': npm has ended and so has every process holding its output, the playground's
    // script among them, which ends only after it stopped code-server, Prometheus and PostgreSQL.
    exited = new Promise((resolve) => start.once('close', (code, signal) => resolve(signal ?? `exit ${code}`)));
  });

  after(() => {
    // Whatever happened above, nothing of it keeps running.
    if (start.pid) for (const line of processesInGroup(start.pid)) process.kill(Number(line.split(' ')[0]), 'SIGKILL');
    removeTemporaryDirectory(tmp);
    removeTemporaryDirectory(home);
  });

  it('prints a URL that answers, with the cluster stand-in running, and Ctrl-C stops everything', async () => {
    const url = await new Promise<string>((resolve, reject) => {
      const look = (): void => {
        const match = /Rollout Guard playground: (http:\/\/\S+)/.exec(output);
        if (match?.[1]) resolve(match[1]);
      };
      start.stdout?.on('data', look);
      void exited.then((how) => reject(new Error(`npm start ended (${how}) before printing its URL:\n${output}`)));
    });
    assert.equal(await get(url), 200, output);
    const standIn = /Kubernetes API stand-in: (http:\/\/\S+)/.exec(output)?.[1];
    assert.ok(standIn, output);
    assert.equal(await get(`${standIn}/version`), 200);
    const group = start.pid!;
    assert.ok(processesInGroup(group).length > 3, 'code-server, Prometheus and PostgreSQL run in the group');

    process.kill(-group, 'SIGINT');
    // npm itself dies of the signal, as in a terminal; the playground then stops its parts.
    assert.match(await exited, /^(SIGINT|exit 0)$/, output);
    assert.deepEqual(processesInGroup(group), [], 'left running after Ctrl-C');
    assert.deepEqual(fs.readdirSync(tmp), [], 'left in TMPDIR after Ctrl-C');
    assert.match(output, /Stopping…/);
    assert.ok(!/Error|error:/.test(output.slice(output.indexOf('Stopping…'))), output);
    assert.ok(fs.existsSync(path.join(home, 'workspace')));
  });
});
