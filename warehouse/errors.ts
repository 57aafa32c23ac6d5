/**
 * Warehouse errors: each has a stable `code` (undici style) and typed context, so callers (Temporal activities)
 * can decide retryability without parsing messages. `retryable: false` means retrying cannot help.
 */
export class WarehouseError extends Error {
  override readonly name: string = 'WarehouseError';
  readonly code: string = 'WAREHOUSE_ERROR';
  readonly retryable: boolean = true;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

export interface BadRowContext {
  /** index of the first offending row in the chunk's columns */
  rowIndex: number;
  instrumentId: number | null;
  /** ts_event as ISO ns (or the raw value when it is not a timestamp) */
  tsEvent: string | null;
  field: string;
  reason: string;
  /** how many rows failed the same checks (the scan stops counting at the first failure per row) */
  badRows: number;
}

/** Rows that must not reach the warehouse; nothing was written. */
export class WarehouseBadRowsError extends WarehouseError {
  override readonly name = 'WarehouseBadRowsError';
  override readonly code = 'WAREHOUSE_BAD_ROWS';
  override readonly retryable = false;
  readonly rowIndex: number;
  readonly instrumentId: number | null;
  readonly tsEvent: string | null;
  readonly field: string;
  readonly reason: string;
  readonly badRows: number;
  readonly table: string;
  constructor(table: string, ctx: BadRowContext) {
    super(
      `refusing to load ${table}: row ${ctx.rowIndex} (instrument_id ${ctx.instrumentId ?? '?'}, ts_event ${ctx.tsEvent ?? '?'}) ` +
        `has a bad ${ctx.field}: ${ctx.reason}` +
        (ctx.badRows > 1 ? ` (${ctx.badRows} bad rows in all)` : '') +
        '; nothing was written',
    );
    this.table = table;
    this.rowIndex = ctx.rowIndex;
    this.instrumentId = ctx.instrumentId;
    this.tsEvent = ctx.tsEvent;
    this.field = ctx.field;
    this.reason = ctx.reason;
    this.badRows = ctx.badRows;
  }
}

export interface SchemaMismatch {
  column: string;
  expected: string;
  actual: string | null;
}

/** An existing table is incompatible with the spec; nothing was changed. */
export class WarehouseSchemaError extends WarehouseError {
  override readonly name = 'WarehouseSchemaError';
  override readonly code = 'WAREHOUSE_SCHEMA_INCOMPATIBLE';
  override readonly retryable = false;
  readonly table: string;
  readonly mismatches: SchemaMismatch[];
  constructor(table: string, mismatches: SchemaMismatch[], detail?: string) {
    super(
      `table ${table} exists with an incompatible schema: ` +
        mismatches.map((m) => `${m.column} is ${m.actual ?? 'missing'}, want ${m.expected}`).join('; ') +
        (detail ? ` (${detail})` : '') +
        '; nothing was changed',
    );
    this.table = table;
    this.mismatches = mismatches;
  }
}

/** Invalid input to a warehouse call (bad spec, bad parameter, unknown column); a programming error, never retried. */
export class WarehouseInputError extends WarehouseError {
  override readonly name = 'WarehouseInputError';
  override readonly code = 'WAREHOUSE_INVALID_INPUT';
  override readonly retryable = false;
}

/** A query or job failed in the warehouse engine; `sqlState`/`reason` carry what the engine said. */
export class WarehouseQueryError extends WarehouseError {
  override readonly name = 'WarehouseQueryError';
  override readonly code = 'WAREHOUSE_QUERY_FAILED';
  readonly kind: 'duckdb' | 'bigquery';
  readonly reason: string | null;
  override readonly retryable: boolean;
  constructor(kind: 'duckdb' | 'bigquery', message: string, opts: { reason?: string | null; retryable?: boolean; cause?: unknown } = {}) {
    super(`${kind}: ${message}`, { cause: opts.cause });
    this.kind = kind;
    this.reason = opts.reason ?? null;
    this.retryable = opts.retryable ?? false;
  }
}

/**
 * A read-only connection refused a statement that is not a SELECT; nothing ran. `statementType` is the engine's
 * name for it (DuckDB `DROP`, BigQuery `DROP_TABLE`), or null when the engine could not tell (nothing was run).
 */
export class WarehouseReadOnlyError extends WarehouseError {
  override readonly name = 'WarehouseReadOnlyError';
  override readonly code = 'WAREHOUSE_READ_ONLY';
  override readonly retryable = false;
  readonly kind: 'duckdb' | 'bigquery';
  readonly statementType: string | null;
  constructor(kind: 'duckdb' | 'bigquery', statementType: string | null, reason?: string) {
    super(
      statementType === null
        ? `${kind}: read-only connection ran nothing: ${reason ?? 'the statement type is unknown'}`
        : `${kind}: read-only connection refuses a ${statementType} statement (only SELECT runs); nothing was run`,
    );
    this.kind = kind;
    this.statementType = statementType;
  }
}

/** Test-only: thrown by the failure-injection hook to simulate a crash between loading steps. */
export class WarehouseInjectedFailure extends WarehouseError {
  override readonly name = 'WarehouseInjectedFailure';
  override readonly code = 'WAREHOUSE_INJECTED_FAILURE';
  readonly after: 'stage' | 'merge';
  constructor(after: 'stage' | 'merge') {
    super(`injected failure after ${after} (test hook)`);
    this.after = after;
  }
}
