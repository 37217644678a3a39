/** The language server checks kustomize overlays as deployed, for files nobody opened too. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { kustomizeFixtures } from './helpers/kustomize-fixtures';
import { rules, TestLspClient } from '../simulators/lsp-client';
import { temporaryDirectory } from '../simulators/temp';

describe('language server: kustomize overlays', () => {
  let client: TestLspClient;
  let workspace: string;
  const uri = (name: string): string => pathToFileURL(path.join(workspace, name)).href;

  before(() => {
    workspace = temporaryDirectory('rg-lsp-kustomize-');
    fs.cpSync(kustomizeFixtures, workspace, { recursive: true });
    // A kustomization need not say apiVersion and kind: the index keeps it all the same.
    const base = path.join(workspace, 'base/kustomization.yaml');
    fs.writeFileSync(base, fs.readFileSync(base, 'utf8').replace(/^(apiVersion|kind):.*\n/gm, ''));
    client = new TestLspClient();
  });

  after(async () => {
    await client.stop();
    fs.rmSync(workspace, { recursive: true, force: true });
  });

  it('publishes findings on the base line and on the overlay patch line, none whole-object on patches', async () => {
    const patch = client.diagnostics(uri('overlays/prod/rollout-patch.yaml'));
    const deployment = client.diagnostics(uri('base/deployment.yaml'));
    const staging = client.diagnostics(uri('overlays/staging/env-patch.yaml'));
    await client.initialize(pathToFileURL(workspace).href);
    assert.deepEqual(rules((await patch).diagnostics), ['unsafe-rolling-update@8', 'unknown-field@9']);
    assert.deepEqual(rules((await deployment).diagnostics), ['missing-pod-disruption-budget@6', 'missing-prestop-hook@16', 'dangling-config-reference@30']);
    assert.deepEqual(rules((await staging).diagnostics), []);
    // Both overlays rendered whole (the JSON 6902 patch file, which holds no object, is indexed too).
    const reference = (await deployment).diagnostics.find((d) => d.code === 'dangling-config-reference')!;
    assert.deepEqual(
      reference.relatedInformation!.map((r) => r.message).filter((m) => m.startsWith('in ')),
      ['in overlays/prod: Deployment prod/prod-web-v1', 'in overlays/staging: Deployment staging/web'],
    );
    const related = (await patch).diagnostics[0]!.relatedInformation!;
    assert.deepEqual(
      related.map((r) => r.message),
      ['in overlays/prod: Deployment prod/prod-web-v1'],
    );
    assert.equal(related[0]!.location.uri, uri('overlays/prod/kustomization.yaml'));
  });
});
