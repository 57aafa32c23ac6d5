import type { SType } from '../domain/databento-enums';
import type { Catalog } from './catalog';
import { assertStypes, productsFor, symbolIntervals } from './resolve-query';
import { businessError } from './gateway-error';
import { clipIntervals, coversSpan, type MappingInterval } from './symbology-index';

export interface ResolveRequest {
  dataset: string;
  symbols: string[];
  stype_in: SType;
  stype_out: SType;
  /** inclusive */
  start_date: string;
  /** exclusive */
  end_date: string;
}

/** Databento's `symbology.resolve` response body. */
export interface ResolveResponse {
  result: Record<string, MappingInterval[]>;
  symbols: string[];
  stype_in: SType;
  stype_out: SType;
  start_date: string;
  end_date: string;
  partial: string[];
  not_found: string[];
  message: string;
  status: 0 | 1 | 2;
}

/**
 * Resolves symbols over `[start_date, end_date)` from the recordings' symbology. A parent resolves
 * to its child raw symbols (each a key of `result`), as in the recorded NQ.FUT `symbology.json`;
 * an instrument_id with no recorded raw symbol (ZL, CL contracts) is not found for stype_out raw_symbol.
 */
export function resolveSymbology(catalog: Catalog, r: ResolveRequest): ResolveResponse {
  assertStypes(r.stype_in, r.stype_out);
  if (r.end_date <= r.start_date) {
    throw businessError(422, 'symbology_invalid_date_range', `end_date ${r.end_date} must be after start_date ${r.start_date}.`, {
      start_date: r.start_date,
      end_date: r.end_date,
    });
  }
  const result: Record<string, MappingInterval[]> = {};
  const partial: string[] = [];
  const notFound: string[] = [];
  for (const symbol of r.symbols) {
    let found = false;
    for (const p of productsFor(catalog, symbol, r.stype_in)) {
      for (const [key, ivs] of symbolIntervals(p, symbol, r.stype_in, r.stype_out)) {
        const clipped = clipIntervals(ivs, r.start_date, r.end_date).filter((iv) => iv.s !== '');
        if (clipped.length === 0) continue;
        found = true;
        const merged = [...(result[key] ?? []), ...clipped].sort((a, b) => (a.d0 < b.d0 ? -1 : a.d0 > b.d0 ? 1 : 0));
        result[key] = merged;
      }
    }
    if (!found) notFound.push(symbol);
  }
  for (const [key, ivs] of Object.entries(result)) if (!coversSpan(ivs, r.start_date, r.end_date)) partial.push(key);
  const status = notFound.length === r.symbols.length ? 2 : notFound.length || partial.length ? 1 : 0;
  return {
    result,
    symbols: r.symbols,
    stype_in: r.stype_in,
    stype_out: r.stype_out,
    start_date: r.start_date,
    end_date: r.end_date,
    partial,
    not_found: notFound,
    message: status === 0 ? 'OK' : status === 1 ? 'Partially resolved' : 'Not found',
    status,
  };
}
