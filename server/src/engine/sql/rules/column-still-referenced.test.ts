import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { CodeIndex, LineIndex, lintText, loadParser, mergeSettings } from '../../index';

const CODE = new CodeIndex();
CODE.set('src/orders.ts', "const row = await db.query('SELECT id, old_payment_status FROM orders');\nexport const status = row.old_payment_status;\n");
CODE.set('app/models/order.rb', 'class Order\n  # old_payment_status_v2 is another column\nend\n');

function lint(fileName: string, sql: string): { range: string; message: string; related: string[] }[] {
  const index = new LineIndex(sql);
  return lintText({ fileName, text: sql, settings: mergeSettings({}), codeIndex: CODE })
    .filter((f) => f.rule === 'column-still-referenced')
    .map((f) => {
      const s = index.position(f.start);
      const e = index.position(f.end);
      return {
        range: `${s.line + 1}:${s.character + 1}-${e.line + 1}:${e.character + 1}`,
        message: f.message,
        related: (f.related ?? []).map((r) => `${r.file}:${r.start.line + 1}:${r.start.character + 1}`),
      };
    });
}

describe('column-still-referenced', () => {
  before(() => loadParser());

  it('ok: a contract step dropping a column the code no longer uses; a drop outside contract (other rules speak there)', () => {
    assert.deepEqual(lint('migrations/payment/contract.sql', 'ALTER TABLE orders DROP COLUMN legacy_code;'), []);
    assert.deepEqual(lint('migrations/payment/expand.sql', 'ALTER TABLE orders DROP COLUMN old_payment_status;'), []);
  });

  it('err: the dropped column is still used, with a link to each use (whole words only)', () => {
    const [finding, ...rest] = lint('migrations/payment/contract.sql', "SET lock_timeout = '2s';\nALTER TABLE orders\n  DROP COLUMN old_payment_status;");
    assert.equal(rest.length, 0);
    assert.equal(finding!.range, '3:3-3:33');
    assert.match(finding!.message, /drops orders\.old_payment_status, but the application code still uses `old_payment_status` \(2 places in 1 file\)/);
    assert.deepEqual(finding!.related, ['src/orders.ts:1:40', 'src/orders.ts:2:27']);
    // A rename in a file with a contract marker.
    const renamed = lint(
      'migrations/payment.sql',
      '-- rollout-guard: phase contract\nALTER TABLE orders RENAME COLUMN old_payment_status TO payment_status_legacy;',
    );
    assert.equal(renamed.length, 1);
    assert.match(renamed[0]!.message, /renames orders\.old_payment_status/);
  });
});
