/** MySQL throughput: a generated migration of mixed DDL and DML linted end to end (median of 3 rounds). */
import { performance } from 'node:perf_hooks';
import { lintMysql, mergeSettings } from '../server/src/engine';

export interface MysqlBenchRow {
  name: string;
  statements: number;
  medianMs: number;
  statementsPerSecond: number;
  findings: number;
}

const TEMPLATES = [
  (i: number) => `ALTER TABLE \`orders_${i % 50}\` ADD COLUMN \`note_${i}\` VARCHAR(64) NULL AFTER \`id\`, ALGORITHM=INSTANT;`,
  (i: number) => `ALTER TABLE orders_${i % 50} DROP COLUMN legacy_${i};`,
  (i: number) => `ALTER TABLE orders_${i % 50} MODIFY COLUMN total_${i} DECIMAL(14,2) NOT NULL;`,
  (i: number) => `ALTER TABLE users_${i % 20} CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_0900_ai_ci;`,
  (i: number) => `UPDATE orders_${i % 50} SET status = 'new' WHERE status IS NULL LIMIT 1000;`,
  (i: number) => `UPDATE orders_${i % 50} SET status = 'old' WHERE created_at < NOW() - INTERVAL ${i} DAY;`,
  (i: number) => `CREATE TABLE t_${i} (id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY, body TEXT, KEY k (id)) ENGINE=InnoDB;`,
  (i: number) => `INSERT INTO audit_${i % 10} (a, b) VALUES (${i}, 'x') ON DUPLICATE KEY UPDATE b = VALUES(b);`,
];

/** Generates `statements` statements and lints them; returns one table row. */
export function benchMysql(statements = 5000): MysqlBenchRow {
  const text = Array.from({ length: statements }, (_, i) => `-- step ${i}\n${TEMPLATES[i % TEMPLATES.length]!(i)}`).join('\n');
  const settings = mergeSettings({ dialect: 'mysql' });
  const times: number[] = [];
  let findings = 0;
  for (let round = 0; round < 3; round++) {
    const started = performance.now();
    findings = lintMysql(text, settings).length;
    times.push(performance.now() - started);
  }
  const medianMs = times.sort((a, b) => a - b)[1]!;
  return {
    name: `MySQL lint, ${statements}-statement migration`,
    statements,
    medianMs,
    statementsPerSecond: Math.round((statements / medianMs) * 1000),
    findings,
  };
}
