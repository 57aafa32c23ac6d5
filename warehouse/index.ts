export {
  createWarehouse,
  createWarehouseFromEnv,
  type BarChunkRef,
  type LedgerRow,
  type LedgerStatus,
  type LoadBarsInput,
  type LoadBarsResult,
  type UpsertOptions,
  type UpsertResult,
  type Warehouse,
  type WarehouseAccess,
  type WarehouseConfig,
} from './warehouse';
export {
  WarehouseError,
  WarehouseBadRowsError,
  WarehouseSchemaError,
  WarehouseInputError,
  WarehouseQueryError,
  WarehouseReadOnlyError,
  type SchemaMismatch,
} from './errors';
export {
  barTableSpec,
  barTables,
  instrumentsTable,
  symbologyTable,
  rollCalendarTable,
  ingestLedgerTable,
  schemaMigrationsTable,
  coreTables,
  CORE_SCHEMA_VERSION,
} from './core-tables';
export { qualifiedName, type ColumnSpec, type ColumnType, type Row, type RowValue, type TableSpec, type ViewSpec } from './table-spec';
export { canonicalDecimal, fixedToDecimal } from './row-values';
