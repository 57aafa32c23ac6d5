import { heartbeat } from '@temporalio/activity';
import { parsePx } from '../../dbn/price';
import type { OhlcvColumns } from '../../dbn/ohlcv-columns';
import { BAR_TABLE } from '../../domain/databento-enums';
import type { SeriesKey } from '../../domain/series';
import { seriesId } from '../../domain/series';
import { parseTimeNs } from '../../domain/time';
import type { LedgerRow } from '../../warehouse/warehouse';
import { type PipelineDeps, withWarehouse } from '../deps';
import { validateStoredChunk } from '../fetch/validate-stored-chunk';
import { locationFor, requestFor } from '../series-chunk';
import { LOADED } from './plan-daily-series';

export interface RecentChunkCheck {
  chunkId: string;
  start: string;
  end: string;
  status: 'ok' | 'file-unavailable' | 'checksum-mismatch' | 'invalid' | 'warehouse-mismatch';
  detail: string;
}

export interface RevalidateResult {
  series: string;
  checked: RecentChunkCheck[];
  failed: number;
}

/** How many of a chunk's bars are missing from the warehouse, and how many differ in close or volume. */
async function compareWithWarehouse(deps: PipelineDeps, series: SeriesKey, row: LedgerRow, columns: OhlcvColumns): Promise<{ missing: number; different: number }> {
  const ids = [...new Set(columns.instrument_id)];
  const stored = await withWarehouse(deps, (w) =>
    w.query<{ instrument_id: string; ts_event: string; close: string; volume: string }>(
      `SELECT instrument_id, ts_event, close, volume FROM market_data.${BAR_TABLE[series.schema]}
       WHERE instrument_id IN (${ids.map((n) => String(Number(n))).join(', ')}) AND ts_event >= @start AND ts_event < @end`,
      { start: row.start, end: row.end },
    ),
  );
  const inWarehouse = new Map(stored.map((r) => [`${r.instrument_id}@${parseTimeNs(String(r.ts_event))}`, r]));
  let missing = 0;
  let different = 0;
  for (let i = 0; i < columns.length; i++) {
    const r = inWarehouse.get(`${columns.instrument_id[i]}@${columns.ts_event[i]}`);
    if (!r) missing++;
    else if (parsePx(String(r.close)) !== columns.close[i] || BigInt(r.volume) !== columns.volume[i]) different++;
  }
  return { missing, different };
}

/** One loaded chunk: its stored file still matches the ledger, passes validation, and equals the warehouse's bars. */
async function checkChunk(deps: PipelineDeps, series: SeriesKey, row: LedgerRow): Promise<RecentChunkCheck> {
  const base = { chunkId: row.chunk_id, start: row.start, end: row.end };
  const location = locationFor(series, row.chunk_id);
  const manifest = await deps.store.verified(location, requestFor(series, row));
  if (!manifest) return { ...base, status: 'file-unavailable', detail: "chunk file not in this worker's store" };
  if (row.sha256 && manifest.sha256 !== row.sha256) {
    return { ...base, status: 'checksum-mismatch', detail: `stored file sha256 ${manifest.sha256} != ledger ${row.sha256}` };
  }
  const { report, columns } = await validateStoredChunk(deps.store, location, { schema: series.schema, start: row.start, end: row.end });
  if (!report.ok) return { ...base, status: 'invalid', detail: report.summary };
  if (columns.length === 0) return { ...base, status: 'ok', detail: 'empty chunk' };
  const { missing, different } = await compareWithWarehouse(deps, series, row, columns);
  if (missing || different) {
    return { ...base, status: 'warehouse-mismatch', detail: `${missing} of ${columns.length} bars missing, ${different} differ in the warehouse` };
  }
  return { ...base, status: 'ok', detail: `${columns.length} bars match; ${report.summary}` };
}

/**
 * Re-checks the last `lastChunks` loaded chunks of a series: the stored file still matches the ledger's sha256,
 * passes the same validation rules as at load time, and every bar in it is in the warehouse with the same close
 * and volume. A chunk whose file lives on another host is reported `file-unavailable` (not a failure).
 */
export async function revalidateRecent(deps: PipelineDeps, input: { series: SeriesKey; lastChunks: number }): Promise<RevalidateResult> {
  const id = seriesId(input.series);
  const rows = await withWarehouse(deps, async (w) => (await w.ledger({ series: id })).filter((r) => LOADED.includes(r.status)));
  rows.sort((a, b) => (parseTimeNs(b.end) > parseTimeNs(a.end) ? 1 : -1));
  const checked: RecentChunkCheck[] = [];
  for (const row of rows.slice(0, input.lastChunks)) {
    heartbeat({ checked: checked.length });
    checked.push(await checkChunk(deps, input.series, row));
  }
  const failed = checked.filter((c) => c.status !== 'ok' && c.status !== 'file-unavailable').length;
  deps.logger.info({ component: 'daily-activities', series: id, checked: checked.length, failed }, 'recent chunks re-validated');
  return { series: id, checked, failed };
}
