import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyFix, expectRanges } from '../../../../../test/helpers/lint';

const RULE = 'lock-timeout-too-long';

describe(RULE, () => {
  it('ok: a few seconds, up to 10, in its spellings; RESET; other settings', () => {
    const sql = [
      "SET lock_timeout = '2s';",
      'SET lock_timeout TO 5000;',
      "SET LOCAL lock_timeout = '10s';",
      "SELECT set_config('lock_timeout', '3000ms', false);",
      'RESET lock_timeout;',
      "SET statement_timeout = '15min';",
    ].join('\n');
    expectRanges(RULE, sql, []);
  });

  it('err: longer than 10 seconds, on the value, with a fix', () => {
    const sql = "SET lock_timeout = '30s';\nSET lock_timeout TO 60000;\nSELECT set_config('lock_timeout', '1min', true);";
    const found = expectRanges(RULE, sql, ['1:20-1:25', '2:21-2:26', '3:35-3:41']);
    assert.match(found[0]!.message, /^lock_timeout = '30s' lets a statement wait 30 s for its lock/);
    assert.match(found[1]!.message, /^lock_timeout = 60000 lets a statement wait 1 min for its lock/);
    assert.equal(applyFix(sql, found[0]!.finding), "SET lock_timeout = '2s';\nSET lock_timeout TO 60000;\nSELECT set_config('lock_timeout', '1min', true);");
  });

  it('err: 0 turns the timeout off', () => {
    const found = expectRanges(RULE, "SET lock_timeout = 0;\nSET LOCAL lock_timeout = '0';", ['1:20-1:21', '2:26-2:29']);
    assert.match(found[0]!.message, /^lock_timeout = 0 turns the timeout off/);
  });
});
