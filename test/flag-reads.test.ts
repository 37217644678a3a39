/**
 * Flag reads in TS/JS checked against a real Unleash 6.10 (npm unleash-server) on the embedded
 * PostgreSQL: `rollout-guard check` with ROLLOUT_GUARD_FLAGS_TOKEN, and the language server fed
 * the snapshot the VS Code client reads (operations/flags, the same code path), over its protocol.
 */
import { extensionContext, outputChannel, registered, setSetting, ui, Uri, vscode, workspaceState } from './helpers/fake-vscode';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import type { CodeAction, CodeLens, Hover, PublishDiagnosticsParams } from 'vscode-languageserver-protocol';
import type { LanguageClient } from 'vscode-languageclient/node';
import { FlagDefinitions, FLAGS_TOKEN_KEY } from '../client/src/flags/definitions';
import { FLAGS_VIEW, FlagsView, type FlagNode } from '../client/src/flags/view';
import { flagProvider, loadFlagSettings, readFlagSnapshot, type SnapshotAnswer } from '../operations/flags';
import { TestLspClient } from '../simulators/lsp-client';
import { startPostgres, type TestPostgres } from '../simulators/postgres';
import { temporaryDirectory } from '../simulators/temp';
import { startUnleash, type TestUnleash } from '../simulators/unleash';
import { runCli } from './helpers/migrations';

const APP = [
  "import { OpenFeature } from '@openfeature/server-sdk';",
  'const client = OpenFeature.getClient();',
  'export async function pay(order: Order) {',
  "  if (await client.getBooleanValue('paymnet-new-flow', false)) return newFlow(order);",
  "  if (await client.getBooleanValue('payment-new-flow', true)) return newFlow(order);",
  "  if (unleash.isEnabled('old-banner')) showBanner();",
  "  if (unleash.isEnabled('always-on')) fast();",
  "  // client.getBooleanValue('not-a-read', false)",
  '  return oldFlow(order);',
  '}',
  '',
].join('\n');

describe('flag reads against a real Unleash', () => {
  let postgres: TestPostgres;
  let unleash: TestUnleash;
  let dir: string;

  const on = (key: string, environment: string) => unleash.admin('POST', `projects/default/features/${key}/environments/${environment}/on`);

  before(async () => {
    postgres = await startPostgres();
    unleash = await startUnleash(postgres);
    dir = temporaryDirectory('rg-flag-reads-');
    fs.mkdirSync(path.join(dir, 'src'));
    fs.mkdirSync(path.join(dir, 'plain'));
    fs.writeFileSync(path.join(dir, '.rollout-guard.yaml'), `flags:\n  provider: unleash\n  url: ${unleash.apiUrl}\n  environment: production\n`);
    fs.writeFileSync(path.join(dir, 'src/pay.ts'), APP);
    fs.writeFileSync(path.join(dir, 'plain/pay.ts'), APP);
    for (const name of ['payment-new-flow', 'old-banner', 'always-on']) await unleash.admin('POST', 'projects/default/features', { name });
    // payment-new-flow: 25 % in production, on in development.
    await unleash.admin('POST', 'projects/default/features/payment-new-flow/environments/production/strategies', {
      name: 'flexibleRollout',
      parameters: { rollout: '25', stickiness: 'default', groupId: 'payment-new-flow' },
    });
    await on('payment-new-flow', 'production');
    await on('payment-new-flow', 'development');
    await unleash.admin('PATCH', 'projects/default/features/old-banner', [{ op: 'replace', path: '/stale', value: true }]);
    // always-on: fully on everywhere, its history made 40 days old (the API cannot backdate it).
    await on('always-on', 'production');
    await on('always-on', 'development');
    const db = await postgres.connect(new URL(unleash.databaseUrl).pathname.slice(1));
    try {
      await db.query("UPDATE features SET created_at = now() - interval '40 days' WHERE name = 'always-on'");
      await db.query("UPDATE events SET created_at = now() - interval '40 days' WHERE feature_name = 'always-on'");
    } finally {
      await db.close();
    }
  });
  after(async () => {
    await unleash?.stop();
    await postgres?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  describe('the snapshot of the flags', () => {
    it('reads one by one only the flags on somewhere with a strategy, and says what each serves as the full list does', async () => {
      await unleash.admin('POST', 'projects/default/features', { name: 'dark-launch' }); // off everywhere, never read alone
      const settings = loadFlagSettings({ cwd: dir });
      const provider = flagProvider(settings, unleash.adminToken);
      const requests: string[] = [];
      const realRequest = http.request;
      http.request = ((...args: unknown[]) => {
        requests.push(String(args[0]).replace(unleash.apiUrl, ''));
        return (realRequest as (...args: unknown[]) => http.ClientRequest)(...args);
      }) as typeof http.request;
      let answer: SnapshotAnswer;
      try {
        answer = await readFlagSnapshot(provider, settings);
      } finally {
        http.request = realRequest;
      }
      assert.ok('snapshot' in answer, JSON.stringify(answer));
      assert.deepEqual(requests.sort(), [
        '/admin/events?project=default',
        '/admin/projects/default/features',
        '/admin/projects/default/features/always-on',
        '/admin/projects/default/features/payment-new-flow',
      ]);
      // Every environment that is on serves what the full list says; one that is off serves nobody either way.
      const full = await provider.list();
      for (const flag of answer.snapshot.flags) {
        const listed = full.find((f) => f.key === flag.key)!;
        assert.equal(flag.stale, listed.stale);
        const serving = (states: typeof listed.environments) => states.map((e) => ({ environment: e.environment, percent: e.enabled ? e.percent : 0 }));
        assert.deepEqual(serving(flag.environments), serving(listed.environments), flag.key);
      }
      assert.deepEqual(
        answer.snapshot.flags.find((f) => f.key === 'payment-new-flow')!.environments.find((e) => e.environment === 'production'),
        {
          environment: 'production',
          enabled: true,
          percent: 25,
        },
      );
      await unleash.admin('DELETE', 'projects/default/features/dark-launch');
      await unleash.admin('DELETE', 'archive/dark-launch');
    });
  });

  describe('rollout-guard check', () => {
    const check = (args: string[], token = unleash.adminToken) =>
      runCli(['check', ...args, '--format', 'json', '--config', path.join(dir, '.rollout-guard.yaml')], { ROLLOUT_GUARD_FLAGS_TOKEN: token });

    it('reports unknown-flag, stale-flag (marked, and fully on for 40 days) and flag-default-mismatch in a folder; nothing on a valid key', async () => {
      const run = await check([path.join(dir, 'src')]);
      assert.equal(run.stderr, '');
      assert.equal(run.code, 1);
      const findings = (JSON.parse(run.stdout) as { findings: { rule: string; line: number; column: number; message: string }[] }).findings;
      assert.deepEqual(
        findings.map((f) => `${f.rule}@${f.line}:${f.column}`),
        ['unknown-flag@4:36', 'flag-default-mismatch@5:36', 'stale-flag@6:25', 'stale-flag@7:25'],
      );
      assert.match(
        findings[0]!.message,
        /^Flag "paymnet-new-flow" does not exist in the flag service at http:\/\/127\.0\.0\.1:\d+\/api: .* Did you mean "payment-new-flow"\?$/,
      );
      assert.match(findings[2]!.message, /marked stale in the flag service/);
      assert.match(findings[3]!.message, /fully on in every environment \(development, production\) for 40 days, longer than flags.staleAfterDays \(30\)/);
    });

    it('a wrong token: one line on stderr without the token, the other findings still, no flag finding', async () => {
      const run = await check([path.join(dir, 'src')], 'wrong-secret-token');
      assert.equal(run.stderr, `rollout-guard: flag reads not checked: the flag service at ${unleash.apiUrl} rejected the token (HTTP 401)\n`);
      assert.doesNotMatch(run.stdout + run.stderr, /wrong-secret-token/);
      assert.equal(run.code, 0);
      assert.deepEqual(JSON.parse(run.stdout), { findings: [] });
    });

    it('without a flags: section, TS/JS in folders is not read and nothing is said about flags', async () => {
      const config = path.join(dir, 'no-flags.yaml');
      fs.writeFileSync(config, 'pgVersion: 16\n');
      fs.writeFileSync(path.join(dir, 'plain/a.sql'), 'SELECT 1;\n');
      const run = await runCli(['check', path.join(dir, 'plain'), path.join(dir, 'plain/pay.ts'), '--format', 'json', '--config', config], {
        ROLLOUT_GUARD_FLAGS_TOKEN: unleash.adminToken,
      });
      assert.equal(run.stderr, '');
      assert.deepEqual(JSON.parse(run.stdout), { findings: [] });
    });
  });

  describe('language server', () => {
    let client: TestLspClient;
    const uri = () => pathToFileURL(path.join(dir, 'src/pay.ts')).href;

    before(async () => {
      client = new TestLspClient();
      await client.initialize(pathToFileURL(dir).href);
    });
    after(async () => client?.stop());

    /** What the VS Code client does: read the service with the stored token, send the snapshot (never the token). */
    const sendSnapshot = async (): Promise<void> => {
      const configPath = path.join(dir, '.rollout-guard.yaml');
      const settings = loadFlagSettings({ cwd: dir, configFile: configPath });
      const answer = await readFlagSnapshot(flagProvider(settings, unleash.adminToken), settings);
      assert.ok('snapshot' in answer, JSON.stringify(answer));
      await client.connection.sendNotification('rolloutGuard/flags', { configPath, snapshot: answer.snapshot });
    };

    it('diagnostics on the flag reads, a fix with the closest key, hover and CodeLens with the live state; cleared when the service fails', async () => {
      let published = client.diagnostics(uri(), (p) => p.diagnostics.length > 0);
      await client.connection.sendNotification('textDocument/didOpen', { textDocument: { uri: uri(), languageId: 'typescript', version: 1, text: APP } });
      await sendSnapshot();
      const { diagnostics } = (await published) as PublishDiagnosticsParams;
      assert.deepEqual(
        diagnostics.map((d) => `${String(d.code)}@${d.range.start.line + 1}:${d.range.start.character + 1}-${d.range.end.character + 1}`),
        ['unknown-flag@4:36-54', 'flag-default-mismatch@5:36-54', 'stale-flag@6:25-37', 'stale-flag@7:25-36'],
      );

      const actions = (await client.connection.sendRequest('textDocument/codeAction', {
        textDocument: { uri: uri() },
        range: diagnostics[0]!.range,
        context: { diagnostics: [diagnostics[0]] },
      })) as CodeAction[];
      const fix = actions.find((a) => a.title === 'Change to "payment-new-flow"');
      assert.ok(fix, actions.map((a) => a.title).join(', '));
      assert.deepEqual(fix.edit?.changes?.[uri()], [
        { range: { start: { line: 3, character: 36 }, end: { line: 3, character: 52 } }, newText: 'payment-new-flow' },
      ]);

      const hover = (await client.connection.sendRequest('textDocument/hover', {
        textDocument: { uri: uri() },
        position: { line: 4, character: 40 },
      })) as Hover;
      const value = (hover.contents as { value: string }).value;
      assert.match(value, /^\*\*payment-new-flow\*\* \(openfeature `getBooleanValue`\)/);
      assert.match(value, /\| production \| 25 % \|\n\| development \| on \|/);

      const lenses = (await client.connection.sendRequest('textDocument/codeLens', { textDocument: { uri: uri() } })) as CodeLens[];
      assert.deepEqual(
        lenses.map((l) => `${l.range.start.line + 1}: ${l.command?.title}`),
        [
          '4: paymnet-new-flow: not in the flag service',
          '5: payment-new-flow: production 25 % · development on',
          '6: old-banner: production off · development off · stale',
          '7: always-on: production on · development on · stale',
        ],
      );

      // The client could not read the service: no findings from the last snapshot, no lens.
      published = client.diagnostics(uri(), (p) => p.diagnostics.length === 0);
      await client.connection.sendNotification('rolloutGuard/flags', { configPath: path.join(dir, '.rollout-guard.yaml') });
      assert.deepEqual((await published).diagnostics, []);
      assert.deepEqual(await client.connection.sendRequest('textDocument/codeLens', { textDocument: { uri: uri() } }), []);
    });
  });

  describe('VS Code client', () => {
    const sent: { method: string; params: { configPath: string; snapshot?: SnapshotAnswer } }[] = [];
    const languageClient = { sendNotification: async (method: string, params: never) => void sent.push({ method, params }) } as unknown as LanguageClient;
    const context = extensionContext('/tmp', '/tmp');
    const output = outputChannel();
    const status = () => registered.languageStatusItems.get('rolloutGuard.flags')!;

    it('untrusted workspace: the flag service is not asked, the server gets no definitions', async () => {
      let requests = 0;
      const counting = http.createServer((_req, res) => (requests++, res.writeHead(500).end()));
      await new Promise<void>((resolve) => counting.listen(0, '127.0.0.1', resolve));
      const folder = temporaryDirectory('rg-flags-untrusted-');
      fs.writeFileSync(path.join(folder, '.rollout-guard.yaml'), `flags:\n  url: http://127.0.0.1:${(counting.address() as { port: number }).port}/api\n`);
      workspaceState.folders = [{ uri: Uri.file(folder), name: 'untrusted', index: 0 }];
      workspaceState.trusted = false;
      await context.secrets.store(FLAGS_TOKEN_KEY, unleash.adminToken);
      const flags = new FlagDefinitions(languageClient, context.secrets as never, output as never);
      try {
        await flags.refresh();
        assert.equal(requests, 0);
        assert.deepEqual(sent, []);
        assert.equal(status().detail, 'not read in Restricted Mode (untrusted workspace)');
      } finally {
        flags.dispose();
        workspaceState.trusted = true;
        counting.close();
        await context.secrets.delete(FLAGS_TOKEN_KEY);
      }
    });

    it('trusted: without a token one warning; with the token set by the command, the definitions go to the server and the token nowhere', async () => {
      const configPath = path.join(dir, '.rollout-guard.yaml');
      workspaceState.folders = [{ uri: Uri.file(dir), name: 'app', index: 0 }];
      const flags = new FlagDefinitions(languageClient, context.secrets as never, output as never);
      try {
        await flags.refresh();
        assert.deepEqual(sent.splice(0), [{ method: 'rolloutGuard/flags', params: { configPath } }]);
        assert.equal(
          status().detail,
          `flag reads not checked: no token for the flag service at ${unleash.apiUrl}: run "Rollout Guard: Set Flag Service Token"`,
        );
        assert.equal(status().severity, vscode.LanguageStatusSeverity.Warning);

        ui.inputBox = unleash.adminToken;
        await vscode.commands.executeCommand('rolloutGuard.flags.setToken');
        assert.equal(context.secretValues.get(FLAGS_TOKEN_KEY), unleash.adminToken);
        await flags.refresh();
        assert.equal(sent.length, 1);
        const { snapshot } = sent[0]!.params as { snapshot?: { flags: { key: string }[]; service: string } };
        assert.deepEqual(snapshot?.flags.map((f) => f.key).sort(), ['always-on', 'old-banner', 'payment-new-flow']);
        assert.equal(snapshot?.service, unleash.apiUrl);
        assert.equal(status().detail, `3 flags from ${unleash.apiUrl}`);
        assert.doesNotMatch(JSON.stringify(sent) + output.lines.join('\n'), new RegExp(unleash.adminToken.split('.')[1]!));

        // rolloutGuard.flags.environment over flags.environment: the environment shown first.
        setSetting('rolloutGuard.flags.environment', 'development');
        await flags.refresh();
        assert.equal((sent.at(-1)!.params as { snapshot?: { environment?: string } }).snapshot?.environment, 'development');
        setSetting('rolloutGuard.flags.environment', undefined);
        await flags.refresh();
        assert.equal((sent.at(-1)!.params as { snapshot?: { environment?: string } }).snapshot?.environment, 'production');

        // rolloutGuard.flags.url over flags.url: the service read is the setting's (here nothing listens), the token still from SecretStorage.
        setSetting('rolloutGuard.flags.url', 'http://127.0.0.1:9/api');
        await flags.refresh();
        assert.deepEqual(sent.at(-1), { method: 'rolloutGuard/flags', params: { configPath } });
        assert.match(status().detail ?? '', /the flag service at http:\/\/127\.0\.0\.1:9\/api is unreachable/);
        setSetting('rolloutGuard.flags.url', 'http://user:secret@127.0.0.1:9/api');
        await flags.refresh();
        assert.match(status().detail ?? '', /rolloutGuard\.flags\.url must not hold a user name or password/);
        setSetting('rolloutGuard.flags.url', undefined);
        await flags.refresh();
        assert.equal((sent.at(-1)!.params as { snapshot?: { service?: string } }).snapshot?.service, unleash.apiUrl);
      } finally {
        flags.dispose();
      }
    });

    it('Flags view: flags with their state and the places reading them; the kill switch turns a flag off in Unleash; last known when unreachable', async () => {
      workspaceState.folders = [{ uri: Uri.file(dir), name: 'app', index: 0 }];
      await context.secrets.store(FLAGS_TOKEN_KEY, unleash.adminToken);
      const flags = new FlagDefinitions(languageClient, context.secrets as never, output as never);
      let now = Date.now();
      const view = new FlagsView(flags, () => now);
      try {
        await flags.refresh();
        const tree = registered.treeViews.get(FLAGS_VIEW)!;
        const nodes = (await view.getChildren()) as Extract<FlagNode, { kind: 'flag' }>[];
        const items = await Promise.all(nodes.map((n) => view.getTreeItem(n)));
        assert.deepEqual(
          items.map((i) => `${String(i.label)}: ${i.description} [${i.contextValue}]`),
          [
            'always-on: production on · development on · stale [flag]',
            'old-banner: production off · development off · stale [flag]',
            'payment-new-flow: production 25 % · development on [flag]',
          ],
        );
        const payment = nodes[2]!;
        const reads = await Promise.all((await view.getChildren(payment)).map((n) => view.getTreeItem(n)));
        assert.deepEqual(reads.map((i) => `${String(i.label)} ${i.description}`).sort(), [
          "plain/pay.ts:5 if (await client.getBooleanValue('payment-new-flow', true)) return newFlow(order);",
          "src/pay.ts:5 if (await client.getBooleanValue('payment-new-flow', true)) return newFlow(order);",
        ]);

        await vscode.commands.executeCommand('rolloutGuard.flags.turnOff', payment);
        const production = (await unleash.admin('GET', 'projects/default/features/payment-new-flow/environments/production')) as { enabled: boolean };
        assert.equal(production.enabled, false);
        const after = (await view.getChildren()) as Extract<FlagNode, { kind: 'flag' }>[];
        assert.equal((await view.getTreeItem(after[2]!)).description, 'production off · development on');

        // The service goes away: the last flags stay, marked, and cannot be changed from the view.
        await unleash.stop();
        now += 3 * 60_000;
        await flags.refresh();
        assert.match(tree.message ?? '', /^Last known, 3 min ago: the flag service at http:\/\/127\.0\.0\.1:\d+\/api is unreachable/);
        const lastKnown = (await view.getChildren()) as Extract<FlagNode, { kind: 'flag' }>[];
        const item = await view.getTreeItem(lastKnown[2]!);
        assert.equal(item.description, 'production off · development on (last known)');
        assert.equal(item.contextValue, 'flagLastKnown');
        assert.deepEqual(sent.at(-1), { method: 'rolloutGuard/flags', params: { configPath: path.join(dir, '.rollout-guard.yaml') } });
      } finally {
        view.dispose();
        flags.dispose();
      }
    });
  });
});
