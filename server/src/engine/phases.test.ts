import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isContractStep, phaseMarker, phaseMarkerLines, phaseOfFile, phaseOfMarker } from './phases';

describe('phase markers and phase files', () => {
  it('a marker is a whole comment: `-- rollout-guard: phase <name>`, names in any case', () => {
    assert.equal(phaseOfMarker('-- rollout-guard: phase expand'), 'expand');
    assert.equal(phaseOfMarker('--   rollout-guard: phase Contract  '), 'contract');
    assert.equal(phaseOfMarker('-- rollout-guard:phase backfill\r'), 'backfill');
    assert.equal(phaseOfMarker('/* rollout-guard: phase switch */'), 'switch');
    assert.equal(phaseOfMarker('# rollout-guard: phase contract'), 'contract', 'MySQL comments');
  });

  it('other comments are no markers; a marker with an unknown name is one, but starts no phase', () => {
    assert.equal(phaseMarker('-- see rollout-guard: phase contract'), undefined);
    assert.equal(phaseMarker('-- rollout-guard: phases expand'), undefined);
    assert.equal(phaseMarker('-- rollout-guard: backfill table=orders key=id'), undefined);
    assert.equal(phaseMarker('-- rollout-guard: phase cleanup'), 'cleanup');
    assert.equal(phaseOfMarker('-- rollout-guard: phase cleanup'), undefined);
    assert.equal(phaseMarker('-- rollout-guard: phase contract -- drops the old column'), 'contract -- drops the old column');
    assert.equal(phaseOfMarker('-- rollout-guard: phase contract -- drops the old column'), undefined);
  });

  it('the files of a plan folder are <phase>.sql, as the runner reads them', () => {
    assert.equal(phaseOfFile('migrations/payment/expand.sql'), 'expand');
    assert.equal(phaseOfFile('C:\\repo\\migrations\\payment\\contract.sql'), 'contract');
    assert.equal(phaseOfFile('migrations/payment/expand.pgsql'), undefined);
    assert.equal(phaseOfFile('migrations/0042_expand.sql'), undefined);
  });

  it('marker lines: each comment line that is a whole marker, with its 0-based line', () => {
    const text =
      "-- intro\n-- rollout-guard: phase expand\nSELECT 'rollout-guard: phase switch';\r\n  /* rollout-guard: phase Contract */\n-- see rollout-guard: phase backfill\n";
    assert.deepEqual(phaseMarkerLines(text), [
      { name: 'expand', line: 1 },
      { name: 'Contract', line: 3 },
    ]);
    assert.deepEqual(phaseMarkerLines('SELECT 1;'), []);
  });

  it('a contract step: contract.sql, or a contract marker line (not the words in a statement)', () => {
    assert.equal(isContractStep('migrations/p/contract.sql', 'DROP TABLE t;'), true);
    assert.equal(isContractStep('migrations/p.sql', 'CREATE TABLE t (id int);\n  -- rollout-guard: phase contract\nDROP TABLE old;'), true);
    assert.equal(isContractStep('migrations/p.sql', '-- rollout-guard: phase expand\nCREATE TABLE t (id int);'), false);
    assert.equal(isContractStep('migrations/p.sql', "SELECT 'rollout-guard: phase contract';"), false);
  });
});
