import { utcDate } from '../domain/time';
import type { OhlcvColumns } from '../dbn/ohlcv-columns';
import { parsePx } from '../dbn/price';
import type { DailyBar } from './build-daily-matrix';

/** Daily bars of one symbol from exact columns (e.g. a recording), dated by the UTC day of ts_event. */
export function dailyBarsFromColumns(columns: OhlcvColumns, symbols: readonly string[], symbol: string): DailyBar[] {
  const out: DailyBar[] = [];
  for (let i = 0; i < columns.length; i++) {
    if (symbols[i] !== symbol) continue;
    out.push({
      date: utcDate(columns.ts_event[i]),
      instrument_id: columns.instrument_id[i],
      close: columns.close[i],
      volume: columns.volume[i],
    });
  }
  return out.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
}

/** A bar row as the warehouse returns it: DATE text, INT64/NUMERIC as exact strings. */
export interface WarehouseBarRow {
  date: string;
  instrument_id: string | number;
  close: string;
  volume: string | number;
}

export function dailyBarsFromRows(rows: readonly WarehouseBarRow[]): DailyBar[] {
  return rows.map((r) => ({
    date: r.date,
    instrument_id: Number(r.instrument_id),
    close: parsePx(r.close),
    volume: BigInt(r.volume),
  }));
}
