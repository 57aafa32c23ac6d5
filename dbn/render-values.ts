import { formatTsNs } from '../domain/time';
import { formatPx, UNDEF_PRICE, UNDEF_TIMESTAMP } from './price';
import type { OhlcvColumns } from './ohlcv-columns';
import type { DbnRecord } from './records';

export interface RenderOptions {
  /** Prices as decimal text with 9 fraction digits (default true); else raw i64 integers. */
  pretty_px?: boolean;
  /** Timestamps as `YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ` (default true); else integer ns. */
  pretty_ts?: boolean;
  /** Append a `symbol` column resolved by instrument_id and date (default true). */
  map_symbols?: boolean;
}

export function resolveOptions(o: RenderOptions = {}): Required<RenderOptions> {
  return { pretty_px: o.pretty_px ?? true, pretty_ts: o.pretty_ts ?? true, map_symbols: o.map_symbols ?? true };
}

/** Pretty price text, or null for UNDEF_PRICE. */
export function prettyPx(px: bigint): string | null {
  return px === UNDEF_PRICE ? null : formatPx(px);
}

/** Pretty timestamp text, or null for 0 / UNDEF_TIMESTAMP (as dbn does). */
export function prettyTs(ts: bigint): string | null {
  return ts === 0n || ts === UNDEF_TIMESTAMP ? null : formatTsNs(ts);
}

/** A streaming text encoder of DBN records (Databento's CSV or JSON lines). */
export interface TextRenderer {
  /** The header line with its `\n` (CSV); '' for JSON, which has none. */
  header(): string;
  /** Lines (each ending `\n`) for records or OHLCV columns. `symbols` overrides the symbol column per row. */
  rows(input: readonly DbnRecord[] | OhlcvColumns, symbols?: readonly (string | null | undefined)[]): string;
  /** rows() as bytes: the fast path for large OHLCV column batches. */
  rowsBytes(input: readonly DbnRecord[] | OhlcvColumns, symbols?: readonly (string | null | undefined)[]): Uint8Array;
}
