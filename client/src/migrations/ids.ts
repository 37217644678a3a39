/** Command and view ids of the migration features, as package.json contributes them. */
export const COMMANDS = {
  runPhase: 'rolloutGuard.migrations.runPhase',
  showStatus: 'rolloutGuard.migrations.showStatus',
  refresh: 'rolloutGuard.migrations.refresh',
  setDatabasePassword: 'rolloutGuard.migrations.setDatabasePassword',
  startLocalPostgres: 'rolloutGuard.migrations.startLocalPostgres',
  stopLocalPostgres: 'rolloutGuard.migrations.stopLocalPostgres',
} as const;
export const MIGRATIONS_VIEW = 'rolloutGuard.migrations';
