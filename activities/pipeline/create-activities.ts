import { Context, heartbeat } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { planHalfYearChunks } from '../../domain/chunks';
import type { ChunkQuote, SeriesKey, StoredChunkRef } from '../../domain/series';
import { seriesId } from '../../domain/series';
import { parseTimeNs } from '../../domain/time';
import { downloadChunk as downloadChunkToStore, type RangeRequest } from '../../chunk-store/download-chunk';
import type { ChunkLocation } from '../../chunk-store/chunk-store';
import { decodeOhlcvColumns } from '../../dbn/decode';
import { TsSymbolMap } from '../../dbn/symbol-map';
import { quoteRange } from './quote-range';
import { validateStoredChunk } from './validate-stored-chunk';
import type { LedgerRow, Warehouse } from '../../warehouse/warehouse';
import { rollCalendarTable, symbologyTable } from '../../warehouse/core-tables';
import { allocOhlcvColumns } from '../../dbn/ohlcv-columns';
import { detectContinuousRolls } from '../../futures/rolls';
import { rollCalendarRows, symbologyRowsFromMetadata } from '../../futures/instrument-rows';
import { BAR_TABLE } from '../../domain/databento-enums';
import { type PipelineDeps, withWarehouse } from './pipeline-deps';
import { KeyedMutex } from './keyed-mutex';
import { asActivity, currentActivity } from './to-activity-failure';

/** A downloaded chunk as workflows see it: a reference, never the bars. */
export type ChunkRef = StoredChunkRef;

/**
 * A download heartbeats its progress only once it has run this long. Each heartbeat is a server round trip, and a
 * chunk that arrives within a second (most daily and many half-year chunks) would spend two on telling no one
 * anything; a cancellation still reaches a longer download within about a second.
 */
export const FIRST_DOWNLOAD_HEARTBEAT_AFTER_MS = 1000;

/** downloads of one batch under way at once: well within Databento's 100 concurrent connections */
export const DOWNLOADS_AT_ONCE = 4;

export interface ValidationOutcome {
  ok: boolean;
  summary: string;
  errors: number;
  warnings: number;
  reportFile: string;
}

export interface LoadOutcome {
  rows: number;
  inserted: number;
  updated: number;
  unchanged: number;
  table: string;
}

const requestFor = (series: SeriesKey, chunk: { start: string; end: string }): RangeRequest => ({
  dataset: series.dataset,
  schema: series.schema,
  symbols: [series.symbol],
  stypeIn: series.stypeIn,
  start: chunk.start,
  end: chunk.end,
});

const locationFor = (series: SeriesKey, chunkId: string): ChunkLocation & { series: string } => ({
  dataset: series.dataset,
  schema: series.schema,
  symbol: series.symbol,
  chunkId,
  series: seriesId(series),
});

function ledgerRow(series: SeriesKey, chunk: { id: string; start: string; end: string }, patch: Partial<LedgerRow>): LedgerRow {
  const info = currentActivity()?.info;
  return {
    chunk_id: chunk.id,
    series: seriesId(series),
    dataset: series.dataset,
    schema: series.schema,
    symbols: series.symbol,
    start: chunk.start,
    end: chunk.end,
    status: 'planned',
    rows: null,
    bytes: null,
    sha256: null,
    cost_usd: null,
    validation: null,
    error: null,
    workflow_id: info?.workflowExecution?.workflowId ?? null,
    updated_at: new Date().toISOString(),
    ...patch,
  };
}

export function createActivities(deps: PipelineDeps) {
  const log = deps.logger.child({ component: 'activities' });
  /** one load per series at a time in this worker: a load's bars, symbology and ledger row stay together, and two
   * MERGEs of one series never race for the same BigQuery partition */
  const seriesLoads = new KeyedMutex();

  async function previousLedger(series: SeriesKey): Promise<Map<string, LedgerRow>> {
    return withWarehouse(deps, async (w) => {
      const rows = await w.ledger({ series: seriesId(series) });
      return new Map(rows.map((r) => [r.chunk_id, r]));
    });
  }

  /**
   * Staged MERGEs of stored chunks, in order, each with its ledger row (status `loaded`, or `accepted` after an
   * operator's review). The files are read and decoded and the warehouse opened at once; the warehouse work waits
   * while this worker loads another batch of the series (the workflow starts the next load before the current one
   * ends, so no task round trip sits between).
   */
  async function loadStored(series: SeriesKey, items: { chunk: ChunkRef; status: 'loaded' | 'accepted'; validationSummary?: string }[]): Promise<LoadOutcome[]> {
    const writes: ((w: Warehouse) => Promise<LoadOutcome>)[] = [];
    for (const { chunk, status, validationSummary } of items) {
      const location = locationFor(series, chunk.chunkId);
      const { bytes, manifest } = await deps.store.readVerified(location);
      const { metadata, columns } = decodeOhlcvColumns(bytes);
      const symbols = TsSymbolMap.fromMetadata(metadata);
      writes.push(async (w: Warehouse): Promise<LoadOutcome> => {
        const result = await w.loadBars({
          chunk: {
            chunkId: chunk.chunkId,
            dataset: series.dataset,
            schema: series.schema,
            start: chunk.start,
            end: chunk.end,
            symbols: [series.symbol],
            stypeIn: series.stypeIn,
          },
          columns,
          symbol: (i: number) => symbols.symbolFor(columns.instrument_id[i], columns.ts_event[i]) ?? series.symbol,
        });
        // the chunk's symbol → instrument_id intervals, as Databento resolved them for this request
        const mappings = symbologyRowsFromMetadata(metadata, { dataset: series.dataset, source: `chunk ${location.series}/${chunk.chunkId}`, stypeIn: series.stypeIn });
        if (mappings.length) await w.upsertRows(symbologyTable, mappings);
        await w.recordLedger(
          ledgerRow(series, { id: chunk.chunkId, start: chunk.start, end: chunk.end }, {
            status,
            rows: result.rows,
            bytes: manifest.fileBytes,
            sha256: manifest.sha256,
            cost_usd: manifest.costUsd,
            validation: validationSummary ?? null,
          }),
        );
        log.info({ series: location.series, chunk: chunk.chunkId, status, ...result }, 'chunk loaded');
        return result;
      });
    }
    // the warehouse is opened before waiting for the series, and kept for the whole batch: a waiting load keeps an
    // embedded DuckDB file's instance open, so the load ahead of it closes only its connection. Opened inside, every
    // load reopened the file and checkpointed it on close: bench:pipeline's ZL backfill took 3.9 s direct and 4.9 s
    // through Temporal, now 2.0 s and 3.0 s (medians of 6).
    return withWarehouse(deps, (w) =>
      seriesLoads.run(
        seriesId(series),
        async () => {
          const outcomes: LoadOutcome[] = [];
          for (const write of writes) outcomes.push(await write(w));
          return outcomes;
        },
        currentActivity()?.cancellationSignal,
      ),
    );
  }

  /** Validates a stored chunk; one that fails is quarantined on this host and recorded in the ledger. */
  async function validateStoredChunkRef(input: { series: SeriesKey; chunk: ChunkRef }): Promise<ValidationOutcome> {
    const { series, chunk } = input;
    const location = locationFor(series, chunk.chunkId);
    const { report } = await validateStoredChunk(deps.store, location, { schema: series.schema, start: chunk.start, end: chunk.end });
    const reportFile = deps.store.paths(location).report;
    await deps.store.writeAtomic(reportFile, `${JSON.stringify(report, null, 2)}\n`);
    const errors = report.rules.filter((r) => r.severity === 'error' && r.count > 0).length;
    const warnings = report.rules.filter((r) => r.severity === 'warning' && r.count > 0).length;
    if (!report.ok) {
      await deps.store.quarantine(location);
      await withWarehouse(deps, (w) =>
        w.recordLedger(
          ledgerRow(series, { id: chunk.chunkId, start: chunk.start, end: chunk.end }, {
            status: 'quarantined',
            sha256: chunk.sha256,
            cost_usd: chunk.costUsd,
            validation: report.summary,
            error: report.summary,
          }),
        ),
      );
      log.warn({ series: location.series, chunk: chunk.chunkId, summary: report.summary }, 'chunk quarantined');
    }
    return { ok: report.ok, summary: report.summary, errors, warnings, reportFile };
  }

  /**
   * Re-quotes, then streams the chunk into the chunk store (resuming a partial file), heartbeating progress once
   * the activity has run for FIRST_DOWNLOAD_HEARTBEAT_AFTER_MS (`startedAt`).
   * A quote above what was approved stops the run: prices can change between approval and download.
   */
  async function downloadToStore(
    input: { series: SeriesKey; chunk: ChunkQuote; approvedCostUsd: number },
    startedAt: number,
    progress: object = {},
    signal: AbortSignal = Context.current().cancellationSignal,
  ): Promise<ChunkRef> {
    const { series, chunk } = input;
    const location = locationFor(series, chunk.id);
    const request = requestFor(series, chunk);
    const ref = (m: Awaited<ReturnType<typeof downloadChunkToStore>>, reused: boolean): ChunkRef => ({
      chunkId: chunk.id,
      start: chunk.start,
      end: chunk.end,
      file: m.file,
      sha256: m.sha256,
      records: m.records,
      recordBytes: m.recordBytes,
      bytesRequested: reused ? 0 : m.bytesRequested,
      costUsd: m.costUsd,
      hostQueue: deps.hostTaskQueue,
      reused,
    });
    const stored = await deps.store.verified(location);
    if (stored) return ref(stored, true);

    const costUsd = await deps.databento.getCost(request);
    if (costUsd > input.approvedCostUsd + 1e-9) {
      throw ApplicationFailure.nonRetryable(
        `chunk ${chunk.id} now costs $${costUsd.toFixed(6)}, above the approved $${input.approvedCostUsd.toFixed(6)}: stopping before any download`,
        'CostAboveApproval',
      );
    }
    const ctx = Context.current();
    const heartbeatAfterMs = deps.firstDownloadHeartbeatAfterMs ?? FIRST_DOWNLOAD_HEARTBEAT_AFTER_MS;
    const manifest = await downloadChunkToStore({
      store: deps.store,
      location,
      request,
      source: deps.databento,
      costUsd,
      signal,
      onProgress: (p) => {
        if (performance.now() - startedAt >= heartbeatAfterMs) ctx.heartbeat({ ...progress, ...p });
      },
    });
    await withWarehouse(deps, (w) =>
      w.recordLedger(
        ledgerRow(series, chunk, { status: 'downloaded', bytes: manifest.fileBytes, sha256: manifest.sha256, cost_usd: costUsd, rows: manifest.records }),
      ),
    );
    log.info({ series: location.series, chunk: chunk.id, records: manifest.records, resumes: manifest.resumes }, 'chunk downloaded');
    return ref(manifest, false);
  }

  /** whether this worker's store holds the chunk's file (same sha256) */
  async function holds(series: SeriesKey, chunk: ChunkRef): Promise<boolean> {
    const manifest = await deps.store.readManifest(locationFor(series, chunk.chunkId)).catch(() => null);
    return manifest?.sha256 === chunk.sha256;
  }

  async function validateEach(input: { series: SeriesKey; chunks: ChunkRef[] }): Promise<ValidationOutcome[]> {
    const outcomes: ValidationOutcome[] = [];
    for (const chunk of input.chunks) outcomes.push(await validateStoredChunkRef({ series: input.series, chunk }));
    return outcomes;
  }

  return {
    /** Plans the series' half-year chunks within the dataset's range and prices every chunk not yet loaded. */
    async quoteSeries(input: { series: SeriesKey; start: string; end: string }): Promise<{ chunks: ChunkQuote[]; available: { start: string; end: string } }> {
      return asActivity(async () => {
        const { series } = input;
        const range = await deps.databento.getDatasetRange(series.dataset);
        const available = range.schema?.[series.schema] ?? { start: range.start, end: range.end };
        const plans = planHalfYearChunks(input.start, input.end, available);
        const ledger = await previousLedger(series);
        const chunks: ChunkQuote[] = [];
        for (const plan of plans) {
          heartbeat({ quoted: chunks.length, of: plans.length });
          const prev = ledger.get(plan.id);
          const loaded = prev && (prev.status === 'loaded' || prev.status === 'accepted') && prev.start === plan.start && prev.end === plan.end;
          if (loaded) {
            chunks.push({ ...plan, costUsd: 0, records: prev.rows ?? 0, billableBytes: 0, alreadyLoaded: true });
            continue;
          }
          const quote = await quoteRange(deps.databento, requestFor(series, plan), plan.id);
          chunks.push({ ...plan, ...quote, alreadyLoaded: false });
        }
        log.info({ series: seriesId(series), chunks: chunks.length }, 'series quoted');
        return { chunks, available };
      }, { heartbeats: 'own' });
    },

    /** One chunk into the chunk store, re-quoted first (see downloadToStore). */
    async downloadChunk(input: { series: SeriesKey; chunk: ChunkQuote; approvedCostUsd: number }): Promise<ChunkRef> {
      return asActivity(() => downloadToStore(input, performance.now()), { heartbeats: 'own' });
    },

    /**
     * downloadChunk for a batch of consecutive small chunks (see batchChunks), DOWNLOADS_AT_ONCE at a time: a small
     * chunk's download is mostly its request's round trip. Each is re-quoted just before its download. After a
     * failure no other download starts; the activity ends once those under way have, with the first error. A retry
     * finds the chunks already stored and resumes the partial ones.
     */
    async downloadChunks(input: { series: SeriesKey; chunks: { chunk: ChunkQuote; approvedCostUsd: number }[] }): Promise<ChunkRef[]> {
      return asActivity(async () => {
        const startedAt = performance.now();
        const refs: ChunkRef[] = [];
        const errors: unknown[] = [];
        let next = 0;
        const downloader = async () => {
          while (!errors.length && next < input.chunks.length) {
            const i = next++;
            const c = input.chunks[i];
            try {
              // a signal of its own that follows the activity's: concurrent downloads would otherwise pile their
              // abort listeners onto one signal (Node warns past 10)
              const signal = AbortSignal.any([Context.current().cancellationSignal]);
              refs[i] = await downloadToStore({ series: input.series, ...c }, startedAt, { chunk: c.chunk.id }, signal);
            } catch (error) {
              errors.push(error);
            }
          }
        };
        await Promise.all(Array.from({ length: Math.min(DOWNLOADS_AT_ONCE, input.chunks.length) }, downloader));
        if (errors.length) throw errors[0];
        return refs;
      }, { heartbeats: 'own' });
    },

    /** Structural, OHLC and market checks; errors quarantine the chunk (never loaded), warnings are reported. */
    async validateChunk(input: { series: SeriesKey; chunk: ChunkRef }): Promise<ValidationOutcome> {
      return asActivity(() => validateStoredChunkRef(input));
    },

    /**
     * validateChunk as a local activity on the worker running the workflow, sparing a round trip through the server:
     * null when this worker's store does not hold the chunk's file (same sha256), and the workflow then validates
     * it on the worker that downloaded it.
     */
    async validateChunkHere(input: { series: SeriesKey; chunk: ChunkRef }): Promise<ValidationOutcome | null> {
      return asActivity(async () => {
        if (!(await holds(input.series, input.chunk))) return null;
        return validateStoredChunkRef(input);
      });
    },

    /** validateChunk for each chunk of a batch (see downloadChunks), on the worker that downloaded them. */
    async validateChunks(input: { series: SeriesKey; chunks: ChunkRef[] }): Promise<ValidationOutcome[]> {
      return asActivity(() => validateEach(input));
    },

    /** validateChunkHere for a batch: null unless this worker's store holds every chunk of it. */
    async validateChunksHere(input: { series: SeriesKey; chunks: ChunkRef[] }): Promise<ValidationOutcome[] | null> {
      return asActivity(async () => {
        for (const chunk of input.chunks) if (!(await holds(input.series, chunk))) return null;
        return validateEach(input);
      });
    },

    /** Staged, idempotent MERGE of the chunk's bars, then a `loaded` ledger row. */
    async loadChunk(input: { series: SeriesKey; chunk: ChunkRef; validationSummary?: string }): Promise<LoadOutcome> {
      return asActivity(async () => (await loadStored(input.series, [{ chunk: input.chunk, status: 'loaded', validationSummary: input.validationSummary }]))[0]);
    },

    /**
     * loadChunk for each chunk of a batch, in order, each in its own idempotent MERGE with its ledger row, on one
     * warehouse connection; a retry loads again the ones that were loaded (no row changes) and goes on.
     */
    async loadChunks(input: { series: SeriesKey; chunks: { chunk: ChunkRef; validationSummary?: string }[] }): Promise<LoadOutcome[]> {
      return asActivity(() => loadStored(input.series, input.chunks.map((c) => ({ ...c, status: 'loaded' as const }))));
    },

    /** Loads a quarantined chunk as it is, because an operator accepted it; recorded as `accepted` in the ledger. */
    async acceptQuarantinedChunk(input: { series: SeriesKey; chunk: ChunkRef; reason?: string }): Promise<LoadOutcome> {
      return asActivity(async () => {
        const location = locationFor(input.series, input.chunk.chunkId);
        if (!(await deps.store.restoreFromQuarantine(location))) {
          throw ApplicationFailure.nonRetryable(`chunk ${input.chunk.chunkId} is not in this host's quarantine`, 'QuarantinedChunkMissing');
        }
        const validationSummary = `accepted by operator${input.reason ? `: ${input.reason}` : ''}`;
        return (await loadStored(input.series, [{ chunk: input.chunk, status: 'accepted', validationSummary }]))[0];
      });
    },

    /**
     * Rolls of a Databento continuous series, read from its loaded bars (an instrument_id change between consecutive
     * bars), into market_data.roll_calendar. Continuous prices are not back-adjusted: these are the seams.
     */
    async updateRollCalendar(input: { series: SeriesKey }): Promise<{ rolls: number }> {
      return asActivity(() =>
        withWarehouse(deps, async (w) => {
          const { series } = input;
          if (series.stypeIn !== 'continuous') return { rolls: 0 };
          const bars = await w.query<{ instrument_id: string; ts_event: string }>(
            `select instrument_id, ts_event from market_data.${BAR_TABLE[series.schema]} where symbol = @symbol order by ts_event`,
            { symbol: series.symbol },
          );
          const columns = allocOhlcvColumns(bars.length);
          bars.forEach((b, i) => {
            columns.instrument_id[i] = Number(b.instrument_id);
            columns.ts_event[i] = parseTimeNs(b.ts_event);
          });
          const rolls = detectContinuousRolls(columns, seriesId(series));
          if (rolls.length) {
            await w.upsertRows(rollCalendarTable, rollCalendarRows(rolls, { dataset: series.dataset, source: `bars of ${seriesId(series)}` }));
          }
          log.info({ series: seriesId(series), rolls: rolls.length }, 'roll calendar updated');
          return { rolls: rolls.length };
        }),
      );
    },

    /** Records an operator's decision or a failure on a chunk in the ledger. */
    async markChunk(input: { series: SeriesKey; chunk: { id: string; start: string; end: string }; status: LedgerRow['status']; error?: string }): Promise<void> {
      return asActivity(() =>
        withWarehouse(deps, (w) => w.recordLedger(ledgerRow(input.series, input.chunk, { status: input.status, error: input.error ?? null }))),
      );
    },

    /** Forgets a stored chunk so the next attempt downloads it again (operator re-download of a quarantined chunk). */
    async discardChunk(input: { series: SeriesKey; chunkId: string }): Promise<void> {
      return asActivity(() => deps.store.discard(locationFor(input.series, input.chunkId)));
    },
  };
}

export type PipelineActivities = ReturnType<typeof createActivities>;
