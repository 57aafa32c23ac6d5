import type { SType } from '../domain/databento-enums';
import { formatTsNs } from '../domain/time';
import type { SymbolMapping } from '../dbn/metadata';
import { GLBX, type Catalog, type DataSource, type Product } from './catalog';
import { businessError } from './gateway-error';
import type { RangeQuery } from './request-params';
import { clipIntervals, coversSpan, dateSpan, dayNumber, type MappingInterval } from './symbology-index';

/** Rows of one product's source to serve: per instrument_id, the UTC day ranges `[d0, d1)` (day numbers). */
export interface SourceSelection {
  product: Product;
  source: DataSource;
  ids: Map<number, [number, number][]> | 'all';
}

export interface ResolvedQuery {
  query: RangeQuery;
  selections: SourceSelection[];
  mappings: SymbolMapping[];
  partial: string[];
  notFound: string[];
}

const SUPPORTED_STYPE_IN: SType[] = ['raw_symbol', 'parent', 'continuous', 'instrument_id'];

export function assertDataset(dataset: string): void {
  if (dataset !== GLBX) {
    throw businessError(
      422,
      'dataset_unavailable',
      `Dataset '${dataset}' is not available: this gateway serves recordings of ${GLBX} only.`,
      { dataset, available: [GLBX] },
      '/api-reference-historical/metadata/metadata-list-datasets',
    );
  }
}

export function assertStypes(stypeIn: SType, stypeOut: SType): void {
  if (!SUPPORTED_STYPE_IN.includes(stypeIn)) {
    throw businessError(422, 'symbology_invalid_stype', `stype_in '${stypeIn}' is not supported for ${GLBX}; use one of ${SUPPORTED_STYPE_IN.join(', ')}.`, {
      stype_in: stypeIn,
    });
  }
  const ok = stypeIn === 'instrument_id' ? stypeOut === 'raw_symbol' || stypeOut === 'instrument_id' : stypeOut === 'instrument_id';
  if (!ok) {
    throw businessError(422, 'symbology_invalid_stype', `Symbology mapping ${stypeIn} -> ${stypeOut} is not supported for ${GLBX}.`, {
      stype_in: stypeIn,
      stype_out: stypeOut,
    });
  }
}

/** Which product knows `symbol` as `stype` (by name, before any date check). */
export function productsFor(catalog: Catalog, symbol: string, stype: SType): Product[] {
  return catalog.products.filter((p) => {
    switch (stype) {
      case 'parent':
        return p.parents.has(symbol);
      case 'continuous':
        return p.continuous.has(symbol);
      case 'raw_symbol':
        return p.raw.has(symbol);
      case 'instrument_id':
        return /^\d+$/.test(symbol) && p.ids.has(Number(symbol));
      default:
        return false;
    }
  });
}

/** Intervals of `symbol` (as `stype`) in `product`, keyed by the mapping key Databento uses. */
export function symbolIntervals(product: Product, symbol: string, stype: SType, stypeOut: SType): Map<string, MappingInterval[]> {
  const out = new Map<string, MappingInterval[]>();
  if (stype === 'parent') {
    // Databento keys a parent's mappings by each child raw symbol (see databento-nq symbology.json)
    for (const child of product.parents.get(symbol) ?? []) out.set(child, product.raw.get(child) ?? []);
  } else if (stype === 'continuous') {
    out.set(symbol, product.continuous.get(symbol) ?? []);
  } else if (stype === 'raw_symbol') {
    out.set(symbol, product.raw.get(symbol) ?? []);
  } else if (stype === 'instrument_id') {
    const ivs = product.ids.get(Number(symbol)) ?? [];
    out.set(
      symbol,
      ivs.map((iv) => ({ d0: iv.d0, d1: iv.d1, s: stypeOut === 'raw_symbol' ? iv.s : symbol })),
    );
  }
  return out;
}

function rangeError(errorCase: string, message: string, q: RangeQuery, source: DataSource) {
  return businessError(
    422,
    errorCase,
    message,
    {
      dataset: q.dataset,
      schema: q.schema,
      start: formatTsNs(q.start),
      end: formatTsNs(q.end),
      available_start: formatTsNs(source.start),
      available_end: formatTsNs(source.end),
      recording: source.origin,
    },
    '/api-reference-historical/basics/datasets',
  );
}

/** 422 unless `[start, end)` lies within what `source` recorded. */
export function assertWithinSource(q: RangeQuery, source: DataSource): void {
  if (q.start < source.start) {
    throw rangeError(
      'data_start_before_available_start',
      `The dataset ${q.dataset} has data for ${q.schema} starting at ${formatTsNs(source.start)} for these symbols; start ${formatTsNs(q.start)} is before it.`,
      q,
      source,
    );
  }
  if (q.start >= source.end) {
    throw rangeError(
      'data_start_after_available_end',
      `The dataset ${q.dataset} has data for ${q.schema} until ${formatTsNs(source.end)} for these symbols; start ${formatTsNs(q.start)} is at or after it.`,
      q,
      source,
    );
  }
  if (q.end > source.end) {
    throw rangeError(
      'data_end_after_available_end',
      `The dataset ${q.dataset} has data for ${q.schema} until ${formatTsNs(source.end)} for these symbols; end ${formatTsNs(q.end)} is after it.`,
      q,
      source,
    );
  }
}

export function assertTimeOrder(q: { start: bigint; end: bigint }): void {
  if (q.end <= q.start) {
    throw businessError(422, 'data_end_before_start', `end ${formatTsNs(q.end)} must be after start ${formatTsNs(q.start)}.`, {
      start: formatTsNs(q.start),
      end: formatTsNs(q.end),
    });
  }
}

/**
 * Resolves a range query against the catalog: which recorded rows to serve, the DBN metadata
 * mappings, and which symbols are partial / not found. Throws Databento-shaped 422s.
 */
export function resolveQuery(catalog: Catalog, q: RangeQuery): ResolvedQuery {
  assertDataset(q.dataset);
  assertStypes(q.stype_in, q.stype_out);
  assertTimeOrder(q);
  const { d0, d1 } = dateSpan(q.start, q.end);
  const selections = new Map<Product, SourceSelection>();
  const mappings: SymbolMapping[] = [];
  const partial: string[] = [];
  const notFound: string[] = [];

  if (q.symbols.includes('ALL_SYMBOLS')) {
    for (const p of catalog.products) {
      const source = p.sources[q.schema];
      if (!source || source.end <= q.start || source.start >= q.end) continue;
      selections.set(p, { product: p, source, ids: 'all' });
      for (const [raw, ivs] of p.raw) {
        const clipped = clipIntervals(ivs, d0, d1);
        if (clipped.length) mappings.push(toMapping(raw, clipped));
      }
    }
    if (selections.size === 0) {
      throw businessError(422, 'data_schema_not_recorded', `No recordings of ${q.schema} overlap the requested range.`, { schema: q.schema });
    }
    return { query: q, selections: [...selections.values()], mappings, partial, notFound };
  }

  for (const symbol of q.symbols) {
    let products = productsFor(catalog, symbol, q.stype_in).filter((p) => p.sources[q.schema]);
    if (q.stype_in === 'instrument_id') {
      // instrument_ids are reused across products and years: prefer the products that map it on these dates
      const dated = products.filter((p) => clipIntervals(p.ids.get(Number(symbol)) ?? [], d0, d1).length > 0);
      if (dated.length) products = dated;
    }
    let resolved = false;
    let complete = false;
    for (const p of products) {
      const source = p.sources[q.schema]!;
      assertWithinSource(q, source);
      for (const [key, ivs] of symbolIntervals(p, symbol, q.stype_in, q.stype_out)) {
        const clipped = clipIntervals(ivs, d0, d1);
        if (clipped.length === 0) continue;
        resolved = true;
        if (coversSpan(clipped, d0, d1)) complete = true;
        mappings.push(toMapping(key, clipped));
        let sel = selections.get(p);
        if (!sel) selections.set(p, (sel = { product: p, source, ids: new Map() }));
        const ids = sel.ids as Map<number, [number, number][]>;
        // the row filter always works on instrument_ids; instrument_id input selects that id itself
        const idIntervals = q.stype_in === 'instrument_id' ? clipped.map((iv) => ({ ...iv, s: symbol })) : clipped;
        for (const iv of idIntervals) {
          const id = Number(iv.s);
          const list = ids.get(id) ?? [];
          list.push([dayNumber(iv.d0), dayNumber(iv.d1)]);
          ids.set(id, list);
        }
      }
    }
    if (!resolved) notFound.push(symbol);
    else if (!complete && q.stype_in !== 'parent') partial.push(symbol);
  }
  if (selections.size === 0) {
    throw businessError(
      422,
      'symbology_invalid_request',
      `None of the symbols could be resolved for ${q.dataset} ${q.schema} with stype_in=${q.stype_in} between ${formatTsNs(q.start)} and ${formatTsNs(q.end)} in the recordings: ${notFound.join(', ')}.`,
      { symbols: q.symbols, stype_in: q.stype_in, not_found: notFound },
      '/standards-and-conventions/symbology',
    );
  }
  return { query: q, selections: [...selections.values()], mappings, partial, notFound };
}

function toMapping(key: string, intervals: MappingInterval[]): SymbolMapping {
  return { raw_symbol: key, intervals: intervals.map((iv) => ({ start_date: iv.d0, end_date: iv.d1, symbol: iv.s })) };
}

/** The `X-Warning` header value for unresolved symbols (JSON array of "Category: message"). */
export function symbologyWarnings(r: ResolvedQuery): string[] {
  const out: string[] = [];
  if (r.notFound.length) out.push(`SymbologyWarning: The following symbols could not be resolved: ${r.notFound.join(', ')}`);
  if (r.partial.length) out.push(`SymbologyWarning: The following symbols were only partially resolved: ${r.partial.join(', ')}`);
  return out;
}
