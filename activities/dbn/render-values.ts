import { formatTsNs } from '../../domain/time';
import { formatPx, UNDEF_PRICE, UNDEF_TIMESTAMP } from './price';

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
