import type { SqlRule } from '../context';
import { addingExclusionConstraint } from './adding-exclusion-constraint';
import { addingFieldWithDefault } from './adding-field-with-default';
import { addingForeignKeyConstraint } from './adding-foreign-key-constraint';
import { addingNotNullableField } from './adding-not-nullable-field';
import { addingPrimaryKeyConstraint } from './adding-primary-key-constraint';
import { addingRequiredField } from './adding-required-field';
import { addingTableRewritingColumn } from './adding-table-rewriting-column';
import { backfillInDdlTransaction } from './backfill-in-ddl-transaction';
import { backfillNotIdempotent } from './backfill-not-idempotent';
import { banCharField } from './ban-char-field';
import { banConcurrentIndexCreationInTransaction } from './ban-concurrent-index-creation-in-transaction';
import { banDropColumn } from './ban-drop-column';
import { banDropNotNull } from './ban-drop-not-null';
import { banDropTable } from './ban-drop-table';
import { banTruncateCascade } from './ban-truncate-cascade';
import { banUncommittedTransaction } from './ban-uncommitted-transaction';
import { changingColumnType } from './changing-column-type';
import { changingTrigger } from './changing-trigger';
import { columnStillReferenced } from './column-still-referenced';
import { constraintMissingNotValid } from './constraint-missing-not-valid';
import { disallowedUniqueConstraint } from './disallowed-unique-constraint';
import { fkMissingIndex } from './fk-missing-index';
import { identifierTooLong } from './identifier-too-long';
import { notValidValidateSameTx } from './not-valid-validate-same-tx';
import { lockTimeoutTooLong } from './lock-timeout-too-long';
import { preferBigintOverInt } from './prefer-bigint-over-int';
import { preferIdentity } from './prefer-identity';
import { preferJsonb } from './prefer-jsonb';
import { preferRepack } from './prefer-repack';
import { preferRobustStmts } from './prefer-robust-stmts';
import { preferTextField } from './prefer-text-field';
import { preferTimestamptz } from './prefer-timestamptz';
import { refreshMaterializedViewBlocking } from './refresh-materialized-view-blocking';
import { renamingColumn } from './renaming-column';
import { renamingEnumValue } from './renaming-enum-value';
import { renamingSchema } from './renaming-schema';
import { renamingTable } from './renaming-table';
import { renamingType } from './renaming-type';
import { requireConcurrentIndexCreation } from './require-concurrent-index-creation';
import { requireConcurrentIndexDeletion } from './require-concurrent-index-deletion';
import { requireConcurrentPartitionDetach } from './require-concurrent-partition-detach';
import { requireConcurrentReindex } from './require-concurrent-reindex';
import { requireLockTimeout } from './require-lock-timeout';
import { setLoggedUnlogged } from './set-logged-unlogged';
import { statementAfterAccessExclusive } from './statement-after-access-exclusive';
import { requireEnumValueOrdering } from './require-enum-value-ordering';
import { requireStatementTimeout } from './require-statement-timeout';
import { setSchema } from './set-schema';
import { transactionNesting } from './transaction-nesting';
import { unbatchedBackfill } from './unbatched-backfill';

/** Every PostgreSQL rule, one per file in this folder. */
export const sqlRules: readonly SqlRule[] = [
  banDropColumn,
  banDropTable,
  banTruncateCascade,
  renamingColumn,
  renamingTable,
  renamingEnumValue,
  renamingSchema,
  renamingType,
  setSchema,
  changingColumnType,
  addingRequiredField,
  addingNotNullableField,
  addingFieldWithDefault,
  requireConcurrentIndexCreation,
  requireConcurrentIndexDeletion,
  banConcurrentIndexCreationInTransaction,
  constraintMissingNotValid,
  disallowedUniqueConstraint,
  addingPrimaryKeyConstraint,
  requireLockTimeout,
  unbatchedBackfill,
  backfillInDdlTransaction,
  backfillNotIdempotent,
  columnStillReferenced,
  preferRobustStmts,
  preferBigintOverInt,
  preferTimestamptz,
  preferTextField,
  banCharField,
  preferJsonb,
  identifierTooLong,
  addingForeignKeyConstraint,
  notValidValidateSameTx,
  statementAfterAccessExclusive,
  requireConcurrentReindex,
  requireConcurrentPartitionDetach,
  preferRepack,
  refreshMaterializedViewBlocking,
  setLoggedUnlogged,
  addingTableRewritingColumn,
  addingExclusionConstraint,
  changingTrigger,
  requireStatementTimeout,
  lockTimeoutTooLong,
  banDropNotNull,
  banUncommittedTransaction,
  transactionNesting,
  fkMissingIndex,
  preferIdentity,
  requireEnumValueOrdering,
];
