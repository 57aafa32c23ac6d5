import type { Metadata } from './metadata';
import type { OhlcvColumns } from './ohlcv-columns';
import type { DbnRecord } from './records';
import { COLUMNS, type Col } from './render-fields';
import { prettyPx, prettyTs, resolveOptions, type RenderOptions, type TextRenderer } from './render-values';
import { TsSymbolMap } from './symbol-map';
import type { SymbolSource } from './render-csv';

export type { RenderOptions } from './render-values';

export type JsonRenderer = TextRenderer;

/**
 * Databento's JSON lines encoding (as dbn's JsonEncoder): the header nested as `hd`, 64-bit integers
 * and prices as quoted strings, UNDEF prices and 0/UNDEF timestamps `null` when pretty,
 * `symbol` appended when map_symbols (null if unknown).
 */
export function createJsonRenderer(metadata: Metadata, options?: RenderOptions, symbolMap?: SymbolSource): JsonRenderer {
  const o = resolveOptions(options);
  const map: SymbolSource | null = o.map_symbols ? (symbolMap ?? TsSymbolMap.fromMetadata(metadata)) : null;
  const str = (s: string | null) => (s === null ? 'null' : JSON.stringify(s));
  const px = (v: bigint) => (o.pretty_px ? str(prettyPx(v)) : `"${v}"`);
  const ts = (v: bigint) => (o.pretty_ts ? str(prettyTs(v)) : `"${v}"`);
  const hd = (r: DbnRecord['hd']) =>
    `{"ts_event":${ts(r.ts_event)},"rtype":${r.rtype},"publisher_id":${r.publisher_id},"instrument_id":${r.instrument_id}}`;

  const line = (r: DbnRecord, i: number, symbols?: readonly (string | null | undefined)[]): string => {
    const rec = r as unknown as Record<string, unknown>;
    const parts: string[] = [];
    for (const [name, type] of COLUMNS[r.kind] as readonly Col[]) {
      const v = rec[name];
      let text: string;
      switch (type) {
        case 'hd':
          text = hd(r.hd);
          break;
        case 'ts':
          text = ts(v as bigint);
          break;
        case 'px':
          text = px(v as bigint);
          break;
        case 'u64':
        case 'i64':
          text = `"${v}"`;
          break;
        case 'num':
          text = String(v);
          break;
        case 'char':
        case 'str':
          text = JSON.stringify((v as string) ?? '');
          break;
        case 'levels':
        case 'clevels':
          text =
            '[' +
            (v as Record<string, bigint | number>[])
              .map(
                (l) =>
                  `{"bid_px":${px(l.bid_px as bigint)},"ask_px":${px(l.ask_px as bigint)},"bid_sz":${l.bid_sz},"ask_sz":${l.ask_sz},` +
                  (type === 'levels' ? `"bid_ct":${l.bid_ct},"ask_ct":${l.ask_ct}}` : `"bid_pb":${l.bid_pb},"ask_pb":${l.ask_pb}}`),
              )
              .join(',') +
            ']';
          break;
      }
      parts.push(`"${name}":${text}`);
    }
    if (metadata.ts_out) parts.push(`"ts_out":${ts(r.ts_out ?? 0n)}`);
    if (map || symbols) {
      const s = symbols
        ? symbols[i]
        : typeof map === 'function'
          ? map(i, r.hd.instrument_id, r.hd.ts_event)
          : map!.symbolFor(r.hd.instrument_id, r.hd.ts_event);
      parts.push(`"symbol":${s ? JSON.stringify(s) : 'null'}`);
    }
    return `{${parts.join(',')}}\n`;
  };

  return {
    header: () => '',
    rows(input, symbols) {
      let out = '';
      if (Array.isArray(input)) {
        const records = input as readonly DbnRecord[];
        for (let i = 0; i < records.length; i++) out += line(records[i], i, symbols);
        return out;
      }
      const c = input as OhlcvColumns;
      for (let i = 0; i < c.length; i++) {
        const r: DbnRecord = {
          kind: 'ohlcv',
          hd: { length: 14, rtype: c.rtype[i], publisher_id: c.publisher_id[i], instrument_id: c.instrument_id[i], ts_event: c.ts_event[i] },
          open: c.open[i],
          high: c.high[i],
          low: c.low[i],
          close: c.close[i],
          volume: c.volume[i],
        };
        out += line(r, i, symbols);
      }
      return out;
    },
    rowsBytes(input, symbols) {
      return Buffer.from(this.rows(input, symbols), 'utf8');
    },
  };
}

export function renderJson(
  metadata: Metadata,
  input: readonly DbnRecord[] | OhlcvColumns,
  options?: RenderOptions,
  symbolMap?: SymbolSource,
  symbols?: readonly (string | null | undefined)[],
): string {
  return createJsonRenderer(metadata, options, symbolMap).rows(input, symbols);
}
