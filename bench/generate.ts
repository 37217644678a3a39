/** A realistic large migration: `count` statements mixing safe and unsafe DDL, backfills and comments. */
export function generateMigration(count: number): string {
  const out: string[] = ["SET lock_timeout = '2s';"];
  for (let i = 1; out.length < count; i++) {
    const table = `orders_${i % 50}`;
    switch (i % 10) {
      case 0:
        out.push(`-- step ${i}: add a nullable column\nALTER TABLE ${table} ADD COLUMN note_${i} text;`);
        break;
      case 1:
        out.push(`CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_${table}_${i} ON ${table} (customer_id, created_at);`);
        break;
      case 2:
        out.push(`ALTER TABLE ${table}\n  ADD CONSTRAINT fk_${i} FOREIGN KEY (customer_id) REFERENCES customers (id) NOT VALID;`);
        break;
      case 3:
        out.push(`ALTER TABLE ${table} VALIDATE CONSTRAINT fk_${i - 1};`);
        break;
      case 4:
        out.push(`UPDATE ${table} SET status = 'archived' WHERE id >= ${i * 1000} AND id < ${(i + 1) * 1000};`);
        break;
      case 5:
        out.push(
          `CREATE TABLE IF NOT EXISTS audit_${i} (\n  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n  payload jsonb NOT NULL,\n  created_at timestamptz NOT NULL DEFAULT now()\n);`,
        );
        break;
      case 6:
        out.push(`ALTER TABLE ${table} ALTER COLUMN note_${i - 6} TYPE varchar(200);`);
        break;
      case 7:
        out.push(`CREATE INDEX idx_${i} ON ${table} (status);`);
        break;
      case 8:
        out.push(`SELECT count(*) FROM ${table} WHERE status = 'pending' AND created_at > now() - interval '1 day';`);
        break;
      default:
        out.push(`ALTER TABLE ${table} DROP COLUMN IF EXISTS legacy_${i};`);
    }
  }
  return out.slice(0, count).join('\n') + '\n';
}
