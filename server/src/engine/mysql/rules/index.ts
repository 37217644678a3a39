import type { MysqlRule } from '../context';
import { addingRequiredField } from './adding-required-field';
import { banDropColumn } from './ban-drop-column';
import { banDropTable } from './ban-drop-table';
import { changingColumnType } from './changing-column-type';
import { mysqlUnsafeAlter } from './mysql-unsafe-alter';
import { renamingColumn } from './renaming-column';
import { renamingTable } from './renaming-table';
import { unbatchedBackfill } from './unbatched-backfill';

/** Every MySQL rule, one per file in this folder. Ids shared with PostgreSQL rules mean the same check. */
export const mysqlRules: readonly MysqlRule[] = [
  banDropColumn,
  banDropTable,
  renamingColumn,
  renamingTable,
  changingColumnType,
  addingRequiredField,
  mysqlUnsafeAlter,
  unbatchedBackfill,
];
