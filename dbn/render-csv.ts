import type { Metadata } from './metadata';
import type { OhlcvColumns } from './ohlcv-columns';
import type { DbnRecord, DbnRecordKind } from './records';
import { COLUMNS, KIND_OF_SCHEMA, LEVEL_COUNT, type Col } from './render-fields';
import { prettyPx, prettyTs, resolveOptions, type RenderOptions, type TextRenderer } from './render-values';
import { TsSymbolMap } from './symbol-map';
import { ohlcvCsvBytes } from './ohlcv-csv-bytes';

export type { RenderOptions } from './render-values';

/** A symbol source for map_symbols: a TsSymbolMap or a function of (row index in this call, instrument_id, ts_event). */
export type SymbolSource = TsSymbolMap | ((i: number, instrument_id: number, ts_event: bigint) => string | undefined | null);

export class RenderError extends Error {
  override readonly name = 'RenderError';
  readonly code = 'DBN_RENDER_ERROR' as const;
}

function csvText(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function headerNames(kind: DbnRecordKind): string[] {
  const out: string[] = [];
  for (const [name, type] of COLUMNS[kind]) {
    if (type === 'hd') out.push('ts_event', 'rtype', 'publisher_id', 'instrument_id');
    else if (type === 'levels' || type === 'clevels') {
      const n = LEVEL_COUNT[kind] ?? 1;
      const f = type === 'levels' ? ['bid_px', 'ask_px', 'bid_sz', 'ask_sz', 'bid_ct', 'ask_ct'] : ['bid_px', 'ask_px', 'bid_sz', 'ask_sz', 'bid_pb', 'ask_pb'];
      for (let i = 0; i < n; i++) for (const x of f) out.push(`${x}_${String(i).padStart(2, '0')}`);
    } else out.push(name);
  }
  return out;
}

export function kindForMetadata(metadata: Pick<Metadata, 'schema'>): DbnRecordKind | null {
  return metadata.schema === null ? null : KIND_OF_SCHEMA[metadata.schema];
}

export type CsvRenderer = TextRenderer;

/**
 * Databento's CSV text encoding (as dbn's CsvEncoder): header first, one line per record, `\n` line ends,
 * UNDEF prices and 0/UNDEF timestamps empty when pretty. Streaming: call rows() per batch.
 * Symbols come from `symbolMap`, else from the metadata mappings.
 */
export function createCsvRenderer(metadata: Metadata, options?: RenderOptions, symbolMap?: SymbolSource): CsvRenderer {
  const o = resolveOptions(options);
  const kind = kindForMetadata(metadata);
  const map: SymbolSource | null = o.map_symbols ? (symbolMap ?? TsSymbolMap.fromMetadata(metadata)) : null;
  const rawLookup = (i: number, iid: number, ts: bigint): string => {
    if (!map) return '';
    return (typeof map === 'function' ? map(i, iid, ts) : map.symbolFor(iid, ts)) ?? '';
  };
  const lookup = (i: number, iid: number, ts: bigint): string => csvText(rawLookup(i, iid, ts));
  const px = (v: bigint): string => (o.pretty_px ? (prettyPx(v) ?? '') : v.toString());
  const ts = (v: bigint): string => (o.pretty_ts ? (prettyTs(v) ?? '') : v.toString());

  const recordLine = (r: DbnRecord, i: number, symbol: string | null | undefined, useSymbol: boolean): string => {
    const parts: string[] = [];
    const rec = r as unknown as Record<string, unknown>;
    for (const [name, type] of COLUMNS[r.kind] as readonly Col[]) {
      const v = rec[name];
      switch (type) {
        case 'hd':
          parts.push(ts(r.hd.ts_event), String(r.hd.rtype), String(r.hd.publisher_id), String(r.hd.instrument_id));
          break;
        case 'ts':
          parts.push(ts(v as bigint));
          break;
        case 'px':
          parts.push(px(v as bigint));
          break;
        case 'u64':
        case 'i64':
        case 'num':
          parts.push(String(v));
          break;
        case 'char':
        case 'str':
          parts.push(csvText((v as string) ?? ''));
          break;
        case 'levels':
        case 'clevels':
          for (const l of v as Record<string, bigint | number>[]) {
            parts.push(px(l.bid_px as bigint), px(l.ask_px as bigint), String(l.bid_sz), String(l.ask_sz));
            if (type === 'levels') parts.push(String(l.bid_ct), String(l.ask_ct));
            else parts.push(String(l.bid_pb), String(l.ask_pb));
          }
          break;
      }
    }
    if (metadata.ts_out) parts.push(ts(r.ts_out ?? 0n));
    if (o.map_symbols) parts.push(useSymbol ? csvText(symbol ?? '') : lookup(i, r.hd.instrument_id, r.hd.ts_event));
    return parts.join(',') + '\n';
  };

  const columnBytes = (c: OhlcvColumns, symbols?: readonly (string | null | undefined)[]): Buffer =>
    ohlcvCsvBytes(c, o, o.map_symbols ? (i) => (symbols ? (symbols[i] ?? '') : rawLookup(i, c.instrument_id[i], c.ts_event[i])) : null);

  return {
    header() {
      if (!kind) throw new RenderError('CSV needs a single schema: metadata.schema is null (mixed records)');
      const names = headerNames(kind);
      if (metadata.ts_out) names.push('ts_out');
      if (o.map_symbols) names.push('symbol');
      return names.join(',') + '\n';
    },
    rows(input, symbols) {
      if (!Array.isArray(input)) {
        if (kind !== 'ohlcv') throw new RenderError(`OHLCV columns given for schema ${metadata.schema}`);
        return columnBytes(input as OhlcvColumns, symbols).toString('latin1');
      }
      let out = '';
      const records = input as readonly DbnRecord[];
      for (let i = 0; i < records.length; i++) {
        const r = records[i];
        if (kind && r.kind !== kind) throw new RenderError(`record of kind ${r.kind} in a ${metadata.schema} CSV`);
        out += recordLine(r, i, symbols?.[i], symbols !== undefined);
      }
      return out;
    },
    rowsBytes(input, symbols) {
      if (!Array.isArray(input)) {
        if (kind !== 'ohlcv') throw new RenderError(`OHLCV columns given for schema ${metadata.schema}`);
        return columnBytes(input as OhlcvColumns, symbols);
      }
      return Buffer.from(this.rows(input, symbols), 'utf8');
    },
  };
}

/** Whole CSV text (header + rows). */
export function renderCsv(
  metadata: Metadata,
  input: readonly DbnRecord[] | OhlcvColumns,
  options?: RenderOptions,
  symbolMap?: SymbolSource,
  symbols?: readonly (string | null | undefined)[],
): string {
  const r = createCsvRenderer(metadata, options, symbolMap);
  return r.header() + r.rows(input, symbols);
}
