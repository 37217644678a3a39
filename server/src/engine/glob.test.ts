import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import picomatch from 'picomatch';
import { globMatcher, GlobError, MAX_GLOB_LENGTH } from './glob';

const GLOBS = [
  'db/mysql/**',
  '**/*.sql',
  '**/mysql/*.sql',
  'migrations/*/contract.sql',
  '*.{sql,psql}',
  'db/{mysql,maria{db,x}}/**/*.sql',
  'a?c.sql',
  '[a-c]*.sql',
  '**/.git',
  'node_modules/**',
  '**',
  '*',
  'a/**/b',
  '**/b/**',
  '\\*.sql',
  'x[.sql',
  'dist/**/*.map',
];
const PATHS = [
  'db/mysql/001.sql',
  'db/mysql',
  'db/mysqlx/001.sql',
  'db/mariadb/a/b/1.sql',
  'db/mariax/1.sql',
  'db/maria/1.sql',
  'x.sql',
  'x.psql',
  'a/b',
  'a/x/y/b',
  'ab',
  'abc.sql',
  'b.sql',
  'd.sql',
  'migrations/pay/contract.sql',
  'migrations/pay/x/contract.sql',
  '.git',
  'src/.git',
  'node_modules',
  'node_modules/x/y.js',
  'q/b/r',
  'b',
  '*.sql',
  'x[.sql',
  'dist/a/b.js.map',
  'dist/x.map',
  'mysql/2.sql',
  'deep/er/mysql/2.sql',
];

describe('globMatcher', () => {
  it('agrees with picomatch (dot: true) on globs as users write them', () => {
    for (const glob of GLOBS) {
      const ours = globMatcher(glob);
      const theirs = picomatch(glob, { dot: true });
      for (const path of PATHS) assert.equal(ours(path), theirs(path), `${glob} on ${path}`);
    }
  });

  it('[!…] negates a class, as in VS Code globs (picomatch reads it as "!" or …)', () => {
    assert.equal(globMatcher('[!a]*.sql')('x.sql'), true);
    assert.equal(globMatcher('[!a]*.sql')('a.sql'), false);
    assert.equal(globMatcher('[^a]*.sql')('a.sql'), false);
  });

  it('matchBase: a glob without a slash matches the last segment', () => {
    const match = globMatcher(['*.k8s.yaml', 'deploy/*.yaml'], { matchBase: true });
    assert.equal(match('a/b/app.k8s.yaml'), true);
    assert.equal(match('deploy/x.yaml'), true);
    assert.equal(match('other/deploy/x.yaml'), false);
  });

  it('takes time linear in the path whatever the glob: backtracking globs end at once', { timeout: 5_000 }, () => {
    const hostile = globMatcher('**/*a*a*a*a*a*a*a*a*a*a*b.sql');
    const name = `${'a'.repeat(40)}.sql`;
    assert.equal(hostile(name), false);
    assert.equal(hostile(`x/${'a'.repeat(10_000)}`), false);
    assert.equal(hostile('x/aaaaaaaaaab.sql'), true);
    const nested = globMatcher(`${'{a,'.repeat(50)}b${'}'.repeat(50)}*`.replace(/\*$/, '*'));
    assert.equal(nested('a'.repeat(5_000)), true);
  });

  it('rejects what it cannot read', () => {
    assert.throws(() => globMatcher('db/{mysql,maria'), GlobError);
    assert.throws(() => globMatcher('x'.repeat(MAX_GLOB_LENGTH + 1)), GlobError);
  });
});
