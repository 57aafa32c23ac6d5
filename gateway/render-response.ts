import { encodeOhlcvRecords } from '../dbn/encode';
import { completeMetadata, encodeMetadata, type Metadata, type MetadataInput } from '../dbn/metadata';
import { sliceOhlcvColumns } from '../dbn/ohlcv-columns';
import { zstdCompress } from '../dbn/zstd';
import { createCsvRenderer } from '../dbn/render-csv';
import { createJsonRenderer } from '../dbn/render-json';
import { TsSymbolMap } from '../dbn/symbol-map';
import type { OutputOptions } from './request-params';
import type { Selection } from './select-records';

/** Records per body block; with zstd each block is its own frame, so clients must read across frames. */
export const RECORDS_PER_BLOCK = 65_536;

export function contentTypeFor(opts: OutputOptions): string {
  if (opts.compression === 'zstd') return 'application/zstd';
  if (opts.encoding === 'csv') return 'text/csv; charset=utf-8';
  if (opts.encoding === 'json') return 'application/x-ndjson; charset=utf-8';
  return 'application/octet-stream';
}

const utf8 = new TextEncoder();

/** Uncompressed body blocks: DBN (metadata then records) or CSV/JSON text (CSV header first, no metadata). */
export function* renderBlocks(metadataInput: MetadataInput, selection: Selection, opts: OutputOptions): Generator<Uint8Array> {
  const metadata: Metadata = completeMetadata(metadataInput);
  if (opts.encoding === 'dbn') {
    const meta = encodeMetadata(metadata);
    if (selection.kind === 'ohlcv') {
      const c = selection.columns;
      if (c.length === 0) yield meta;
      for (let at = 0; at < c.length; at += RECORDS_PER_BLOCK) {
        const recs = encodeOhlcvRecords(sliceOhlcvColumns(c, at, at + RECORDS_PER_BLOCK));
        yield at === 0 ? concatBytes([meta, recs]) : recs;
      }
    } else {
      yield concatBytes([meta, ...selection.bytes]);
    }
    return;
  }
  const symbolMap = opts.map_symbols ? TsSymbolMap.fromMetadata(metadata) : undefined;
  const textOpts = { pretty_px: opts.pretty_px, pretty_ts: opts.pretty_ts, map_symbols: opts.map_symbols };
  const renderer = opts.encoding === 'csv' ? createCsvRenderer(metadata, textOpts, symbolMap) : createJsonRenderer(metadata, textOpts, symbolMap);
  const header = renderer.header();
  if (selection.kind === 'ohlcv') {
    const c = selection.columns;
    if (c.length === 0 && header) yield utf8.encode(header);
    for (let at = 0; at < c.length; at += RECORDS_PER_BLOCK) {
      const text = renderer.rows(sliceOhlcvColumns(c, at, at + RECORDS_PER_BLOCK));
      yield utf8.encode(at === 0 ? header + text : text);
    }
  } else {
    yield utf8.encode(header + renderer.rows(selection.records));
  }
}

/** Body blocks as sent: one zstd frame per block when compressed. */
export function* renderBody(metadata: MetadataInput, selection: Selection, opts: OutputOptions): Generator<Uint8Array> {
  for (const block of renderBlocks(metadata, selection, opts)) {
    yield opts.compression === 'zstd' ? zstdCompress(block) : block;
  }
}

function concatBytes(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
