import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isContractStep, phaseMarker, phaseMarkerLines, phaseOfFile, phaseOfMarker, switchMarker } from './phases';

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

  it('a switch marker binds a flag, with the default steps and interval or the ones written', () => {
    assert.deepEqual(switchMarker('-- rollout-guard: switch flag=payment-new-flow'), {
      binding: { flag: 'payment-new-flow', steps: [10, 50, 100], interval: '5m', intervalMs: 300_000 },
    });
    assert.deepEqual(switchMarker('/* rollout-guard: switch flag=checkout.v2 steps=25,100 interval=1h30m */'), {
      binding: { flag: 'checkout.v2', steps: [25, 100], interval: '1h30m', intervalMs: 5_400_000 },
    });
    assert.deepEqual(switchMarker('--ROLLOUT-GUARD:SWITCH   interval=500ms flag=a steps=100\r'), {
      binding: { flag: 'a', steps: [100], interval: '500ms', intervalMs: 500 },
    });
  });

  it('switch markers the runner cannot read say why; other comments are no switch markers', () => {
    const error = (comment: string): string | undefined => {
      const marker = switchMarker(comment);
      return marker && 'error' in marker ? marker.error : undefined;
    };
    assert.equal(error('-- rollout-guard: switch'), 'the switch marker names no flag: write "rollout-guard: switch flag=KEY"');
    assert.equal(error('-- rollout-guard: switch flag=a steps=10,50'), 'steps=10,50 must end at 100: contract waits until the flag is fully on');
    assert.equal(error('-- rollout-guard: switch flag=a steps=50,10,100'), 'steps=50,10,100 must increase');
    assert.equal(error('-- rollout-guard: switch flag=a steps=0,100'), 'steps=0,100 must be percentages from 1 to 100, separated by commas');
    assert.equal(error('-- rollout-guard: switch flag=a steps=10,,100'), 'steps=10,,100 must be percentages from 1 to 100, separated by commas');
    assert.equal(
      error('-- rollout-guard: switch flag=a interval=5 minutes'),
      'unknown switch option "minutes": the marker is "rollout-guard: switch flag=KEY [steps=10,50,100] [interval=5m]"',
    );
    assert.equal(error('-- rollout-guard: switch flag=a interval=5min'), 'interval=5min is not a duration such as 30s, 5m or 1h');
    assert.equal(error('-- rollout-guard: switch flag=a flag=b'), 'flag= is given twice');
    assert.equal(error('-- rollout-guard: switch flag=a/b'), '"a/b" is not a flag key (letters, digits and . _ : ~ -)');
    assert.equal(switchMarker('-- rollout-guard: phase switch'), undefined);
    assert.equal(switchMarker('-- rollout-guard: switchover flag=a'), undefined);
    assert.equal(switchMarker('-- see rollout-guard: switch flag=a'), undefined);
  });
});
