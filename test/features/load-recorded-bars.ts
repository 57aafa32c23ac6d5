import { planHalfYearChunks } from '../../domain/chunks';
import { parseTimeNs } from '../../domain/time';
import type { OhlcvColumns } from '../../dbn/ohlcv-columns';
import { readClContinuous, readZlDaily, type OhlcvRecording } from '../../recordings';
import type { Warehouse } from '../../warehouse/warehouse';

function pick(c: OhlcvColumns, idx: number[]): OhlcvColumns {
  return {
    length: idx.length,
    rtype: Uint8Array.from(idx.map((i) => c.rtype[i])),
    publisher_id: Uint16Array.from(idx.map((i) => c.publisher_id[i])),
    instrument_id: Uint32Array.from(idx.map((i) => c.instrument_id[i])),
    ts_event: BigUint64Array.from(idx.map((i) => c.ts_event[i])),
    open: BigInt64Array.from(idx.map((i) => c.open[i])),
    high: BigInt64Array.from(idx.map((i) => c.high[i])),
    low: BigInt64Array.from(idx.map((i) => c.low[i])),
    close: BigInt64Array.from(idx.map((i) => c.close[i])),
    volume: BigUint64Array.from(idx.map((i) => c.volume[i])),
  };
}

/** Loads one symbol of a recording through warehouse.loadBars, one half-year chunk at a time (as the pipeline does). */
async function loadSymbol(warehouse: Warehouse, rec: OhlcvRecording, symbol: string): Promise<number> {
  const ts = rec.columns.ts_event;
  const keep = [...Array(rec.columns.length).keys()].filter((i) => rec.symbol[i] === symbol);
  if (keep.length === 0) return 0;
  const isoDay = (ns: bigint, plusDays = 0) => new Date(Number(ns / 1_000_000n) + plusDays * 86_400_000).toISOString().slice(0, 10);
  let loaded = 0;
  for (const chunk of planHalfYearChunks(isoDay(ts[keep[0]]), isoDay(ts[keep[keep.length - 1]], 1))) {
    const s = parseTimeNs(chunk.start);
    const e = parseTimeNs(chunk.end);
    const idx = keep.filter((i) => ts[i] >= s && ts[i] < e);
    if (idx.length === 0) continue;
    const r = await warehouse.loadBars({
      chunk: {
        chunkId: `GLBX.MDP3/ohlcv-1d/${symbol}/${chunk.id}`,
        dataset: 'GLBX.MDP3',
        schema: 'ohlcv-1d',
        start: chunk.start,
        end: chunk.end,
        symbols: [symbol],
        stypeIn: 'continuous',
      },
      columns: pick(rec.columns, idx),
      symbol: idx.map(() => symbol),
    });
    loaded += r.rows;
  }
  return loaded;
}

/** The real ZL.c.0 2010–2026 and CL.n.0 2024 daily bars, into the warehouse. */
export async function loadRecordedDailyBars(warehouse: Warehouse, dataDir: string): Promise<{ zl: number; cl: number }> {
  const zl = await loadSymbol(warehouse, await readZlDaily(dataDir), 'ZL.c.0');
  const cl = await loadSymbol(warehouse, await readClContinuous(dataDir), 'CL.n.0');
  return { zl, cl };
}
