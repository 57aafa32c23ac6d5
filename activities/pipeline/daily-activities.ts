import { heartbeat } from '@temporalio/activity';
import { planHalfYearChunks } from '../../domain/chunks';
import { BAR_TABLE, OHLCV_INTERVAL_NS } from '../../domain/databento-enums';
import type { ChunkQuote, SeriesKey } from '../../domain/series';
import { seriesId } from '../../domain/series';
import { isoSeconds, parseTimeNs } from '../../domain/time';
import type { RangeRequest } from '../../chunk-store/download-chunk';
import { parsePx } from '../../dbn/price';
import { quoteRange } from './quote-range';
import { validateStoredChunk } from './validate-stored-chunk';
import type { LedgerRow } from '../../warehouse/warehouse';
import { type PipelineDeps, withWarehouse } from './pipeline-deps';
import { asActivity } from './to-activity-failure';

const NS_PER_DAY = 86_400_000_000_000n;

/** What a daily run should fetch for one series: the range after what is loaded, up to the last complete UTC day. */
export interface DailyPlan {
  series: string;
  status: 'new-data' | 'up-to-date' | 'no-history';
  /** where `from` came from: the ledger's last loaded end, or the newest bar in the warehouse */
  basis: 'ledger' | 'bars' | null;
  /** ISO seconds, inclusive */
  from: string | null;
  /** ISO seconds, exclusive */
  to: string | null;
  /** slices to ingest (ids encode partial ranges, see dailyChunkId) */
  chunks: ChunkQuote[];
  costUsd: number;
  records: number;
  detail: string;
}

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

const LOADED: LedgerRow['status'][] = ['loaded', 'accepted'];

const compact = (iso: string) => {
  const day = iso.slice(0, 10).replaceAll('-', '');
  const time = iso.slice(11, 19).replaceAll(':', '');
  return time === '000000' ? day : `${day}T${time}`;
};

/**
 * Ledger key for a daily slice. A whole half-year keeps the backfill's id (`2026H2`); a partial one encodes its
 * range (`2026H2.20260701-20260812`), so a later, longer slice of the same half-year is a new chunk (own file,
 * own ledger row) and never reuses a shorter stored file.
 */
export function dailyChunkId(plan: { id: string; start: string; end: string }): string {
  const [year, half] = [Number(plan.id.slice(0, 4)), plan.id.endsWith('H1') ? 1 : 2];
  const fullStart = isoSeconds(BigInt(Date.UTC(year, half === 1 ? 0 : 6, 1)) * 1_000_000n);
  const fullEnd = isoSeconds(BigInt(half === 1 ? Date.UTC(year, 6, 1) : Date.UTC(year + 1, 0, 1)) * 1_000_000n);
  if (plan.start === fullStart && plan.end === fullEnd) return plan.id;
  return `${plan.id}.${compact(plan.start)}-${compact(plan.end)}`;
}

/** The end of the last complete UTC day before `now`. */
export function lastCompleteDayEnd(nowMs: number): string {
  const ns = BigInt(nowMs) * 1_000_000n;
  return isoSeconds((ns / NS_PER_DAY) * NS_PER_DAY);
}

interface ProviderRangeError {
  detail?: { case?: string; payload?: unknown };
}

/** Databento's 422 for symbols whose own data ends before the dataset's end: where it ends, if it says. */
function symbolDataEnd(err: unknown): { availableEnd: string } | null {
  const detail = (err as ProviderRangeError)?.detail;
  const payload = detail?.payload as { available_end?: unknown } | undefined;
  if (typeof payload?.available_end !== 'string') return null;
  const cases = ['data_end_after_available_end', 'data_start_after_available_end'];
  return detail?.case && cases.includes(detail.case) ? { availableEnd: payload.available_end } : null;
}

/** Activities of the scheduled runs: plan the incremental range, refresh FRED, re-validate recent chunks. */
export function createDailyActivities(deps: PipelineDeps) {
  const log = deps.logger.child({ component: 'daily-activities' });

  async function lastLoadedEnd(series: SeriesKey): Promise<{ from: string; basis: 'ledger' | 'bars' } | null> {
    return withWarehouse(deps, async (w) => {
      await w.ensureSchema();
      const rows = (await w.ledger({ series: seriesId(series) })).filter((r) => LOADED.includes(r.status));
      if (rows.length) {
        const end = rows.map((r) => parseTimeNs(r.end)).reduce((a, b) => (b > a ? b : a));
        return { from: isoSeconds(end), basis: 'ledger' };
      }
      // loaded before the ledger existed (or by hand): continue after the newest bar of that symbol
      const [row] = await w.query<{ last: string | null }>(
        `SELECT MAX(ts_event) AS last FROM market_data.${BAR_TABLE[series.schema]} WHERE symbol = @symbol`,
        { symbol: series.symbol },
      );
      if (!row?.last) return null;
      return { from: isoSeconds(parseTimeNs(String(row.last)) + OHLCV_INTERVAL_NS[series.schema]), basis: 'bars' };
    });
  }

  async function quote(series: SeriesKey, plan: { id: string; start: string; end: string }): Promise<ChunkQuote> {
    const q: RangeRequest = {
      dataset: series.dataset,
      schema: series.schema,
      symbols: [series.symbol],
      stypeIn: series.stypeIn,
      start: plan.start,
      end: plan.end,
    };
    const quote = await quoteRange(deps.databento, q, plan.id);
    return { id: dailyChunkId(plan), start: plan.start, end: plan.end, ...quote, alreadyLoaded: false };
  }

  return {
    /**
     * Plans and prices a series' daily increment: `[last loaded end, min(dataset end, last complete UTC day))`.
     * Nothing new (or no bars in it) → `up-to-date`; no history at all → `no-history` (a backfill comes first).
     */
    async planDailySeries(input: { series: SeriesKey; nowMs?: number }): Promise<DailyPlan> {
      return asActivity(async () => {
        const { series } = input;
        const id = seriesId(series);
        const base = { series: id, chunks: [], costUsd: 0, records: 0 };
        const last = await lastLoadedEnd(series);
        if (!last) {
          return { ...base, status: 'no-history', basis: null, from: null, to: null, detail: `${id}: nothing loaded yet; run a backfill first` };
        }
        const range = await deps.databento.getDatasetRange(series.dataset);
        const available = range.schema?.[series.schema] ?? { start: range.start, end: range.end };
        const today = lastCompleteDayEnd(input.nowMs ?? Date.now());
        let to = parseTimeNs(available.end) < parseTimeNs(today) ? isoSeconds(parseTimeNs(available.end)) : today;
        const upToDate = (why: string): DailyPlan => ({ ...base, status: 'up-to-date', basis: last.basis, from: last.from, to, detail: `${id}: ${why}` });

        let providerEnd: string | null = null;
        for (let attempt = 0; ; attempt++) {
          if (parseTimeNs(last.from) >= parseTimeNs(to)) {
            return upToDate(`up to date (loaded to ${last.from}, data available to ${to}${providerEnd ? ` for ${series.symbol}` : ''})`);
          }
          const plans = planHalfYearChunks(last.from, to);
          try {
            const chunks: ChunkQuote[] = [];
            for (const plan of plans) {
              heartbeat({ quoted: chunks.length, of: plans.length });
              chunks.push(await quote(series, plan));
            }
            const records = chunks.reduce((s, c) => s + c.records, 0);
            if (records === 0) return upToDate(`no new bars in [${last.from}, ${to})`);
            const costUsd = chunks.reduce((s, c) => s + c.costUsd, 0);
            log.info({ series: id, from: last.from, to, chunks: chunks.length, records, costUsd }, 'daily increment planned');
            return {
              series: id,
              status: 'new-data',
              basis: last.basis,
              from: last.from,
              to,
              chunks: chunks.filter((c) => c.records > 0),
              costUsd,
              records,
              detail: `${id}: ${records} new records in [${last.from}, ${to})${providerEnd ? ` (the provider's data for ${series.symbol} ends there)` : ''} for USD ${costUsd.toFixed(6)}`,
            };
          } catch (err) {
            // the dataset's range is dataset-wide; a symbol's own data can end earlier (expired, delisted, not recorded)
            const ends = symbolDataEnd(err);
            if (!ends || attempt > 0 || parseTimeNs(ends.availableEnd) >= parseTimeNs(to)) throw err;
            to = isoSeconds(parseTimeNs(ends.availableEnd));
            providerEnd = to;
          }
        }
      }, { heartbeats: 'own' });
    },

    /**
     * Re-checks the last `lastChunks` loaded chunks of a series: the stored file still matches the ledger's sha256,
     * passes the same validation rules as at load time, and every bar in it is in the warehouse with the same close
     * and volume. A chunk whose file lives on another host is reported `file-unavailable` (not a failure).
     */
    async revalidateRecent(input: { series: SeriesKey; lastChunks: number }): Promise<RevalidateResult> {
      return asActivity(async () => {
        const { series } = input;
        const id = seriesId(series);
        const rows = await withWarehouse(deps, async (w) => {
          await w.ensureSchema();
          return (await w.ledger({ series: id })).filter((r) => LOADED.includes(r.status));
        });
        rows.sort((a, b) => (parseTimeNs(b.end) > parseTimeNs(a.end) ? 1 : -1));
        const checked: RecentChunkCheck[] = [];
        for (const row of rows.slice(0, input.lastChunks)) {
          heartbeat({ checked: checked.length });
          checked.push(await checkChunk(series, row));
        }
        const failed = checked.filter((c) => c.status !== 'ok' && c.status !== 'file-unavailable').length;
        log.info({ series: id, checked: checked.length, failed }, 'recent chunks re-validated');
        return { series: id, checked, failed };
      });
    },
  };

  async function checkChunk(series: SeriesKey, row: LedgerRow): Promise<RecentChunkCheck> {
    const base = { chunkId: row.chunk_id, start: row.start, end: row.end };
    const location = { dataset: series.dataset, schema: series.schema, symbol: series.symbol, chunkId: row.chunk_id };
    const manifest = await deps.store.verified(location);
    if (!manifest) return { ...base, status: 'file-unavailable', detail: 'chunk file not in this worker\'s store' };
    if (row.sha256 && manifest.sha256 !== row.sha256) {
      return { ...base, status: 'checksum-mismatch', detail: `stored file sha256 ${manifest.sha256} != ledger ${row.sha256}` };
    }
    const { report, columns } = await validateStoredChunk(deps.store, location, { schema: series.schema, start: row.start, end: row.end });
    if (!report.ok) return { ...base, status: 'invalid', detail: report.summary };
    if (columns.length === 0) return { ...base, status: 'ok', detail: 'empty chunk' };

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
    if (missing || different) {
      return { ...base, status: 'warehouse-mismatch', detail: `${missing} of ${columns.length} bars missing, ${different} differ in the warehouse` };
    }
    return { ...base, status: 'ok', detail: `${columns.length} bars match; ${report.summary}` };
  }
}

export type DailyActivities = ReturnType<typeof createDailyActivities>;
