import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDailyMatrix } from '../../features/build-daily-matrix';
import { buildFeatures } from '../../features/build-features';
import { FEATURE_COLUMNS } from '../../features/feature-catalog';
import { FredClient } from '../../fred/fred-client';
import { DEFAULT_FRED_SERIES, ingestFredSeries } from '../../fred/ingest-fred';
import { readFredRecording } from '../../fred/read-fred-recording';
import { publishForecast } from '../../forecast/publish-forecast';
import { createWarehouse, type Warehouse } from '../../warehouse/warehouse';
import { handleFredRequest } from '../../gateway/fred/fred-router';
import { marketDataDir } from '../support/market-data-dir';
import { loadRecordedDailyBars } from './load-recorded-bars';
import { recordedMatrixInput } from '../../features/recorded-matrix-input';
import { placeholderFredKey } from '../../gateway/placeholder-keys';

const KEY = placeholderFredKey('features');

/**
 * End to end on DuckDB: real ZL/CL bars via loadBars, the 12 FRED series via our FRED route and client,
 * then buildFeatures and publishForecast, each twice (the second run must change nothing).
 */
describe('FRED ingest → features → forecast on DuckDB over the real recordings', () => {
  let dir: string;
  let warehouse: Warehouse;
  let server: Server;
  let client: FredClient;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'features-wh-'));
    warehouse = await createWarehouse({ kind: 'duckdb', path: path.join(dir, 'wh.duckdb') });
    await warehouse.ensureSchema();
    const dataDir = marketDataDir();
    server = createServer((req, res) => void handleFredRequest(req, res, { dataDir, apiKey: KEY }));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    client = new FredClient({ baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, apiKey: KEY });
    await loadRecordedDailyBars(warehouse, dataDir);
  });
  afterAll(async () => {
    await warehouse?.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await rm(dir, { recursive: true, force: true });
  });

  it('ingests the 12 FRED series: each equals its recording (count and exact values); a rerun changes nothing', async () => {
    const first = await ingestFredSeries({ client, warehouse }, { seriesIds: [...DEFAULT_FRED_SERIES] });
    for (const id of DEFAULT_FRED_SERIES) {
      const rec = await readFredRecording(marketDataDir(), id);
      const stored = await warehouse.query<{ date: string; value_text: string | null; value: number | null }>(
        'SELECT date, value_text, value FROM raw_intelligence.fred_economic WHERE series_id = @id ORDER BY date',
        { id },
      );
      expect(stored.length, id).toBe(rec.observations.length);
      expect(stored.map((r) => ({ date: r.date, value: r.value_text })), id).toEqual(rec.observations);
      for (const r of stored) expect(r.value).toBe(r.value_text === null ? null : Number(r.value_text));
      expect(first.series.find((s) => s.id === id)).toMatchObject({ rows: rec.observations.length, inserted: rec.observations.length, updated: 0 });
    }
    const again = await ingestFredSeries({ client, warehouse }, { seriesIds: [...DEFAULT_FRED_SERIES] });
    for (const s of again.series) expect([s.id, s.inserted, s.updated]).toEqual([s.id, 0, 0]);
  });

  it('buildFeatures writes the same matrix as the pure build over the recordings; a rerun changes nothing', async () => {
    const first = await buildFeatures({ warehouse });
    expect(first).toMatchObject({ rows: 4002, inserted: 4002, updated: 0, deleted: 0, lastDate: '2026-08-10', crossAssets: ['CL.n.0'] });
    const again = await buildFeatures({ warehouse });
    expect([again.changed, again.inserted, again.updated, again.deleted]).toEqual([0, 0, 0, 0]);

    const expected = buildDailyMatrix(await recordedMatrixInput(marketDataDir()));
    const stored = await warehouse.query<Record<string, unknown>>('SELECT * FROM training.daily_ml_matrix ORDER BY date');
    expect(stored).toHaveLength(expected.length);
    const mismatches: string[] = [];
    stored.forEach((s, k) => {
      const e = expected[k];
      if (s.date !== e.date || s.close !== e.close || String(s.volume) !== String(e.volume)) mismatches.push(`${e.date} ids`);
      for (const c of FEATURE_COLUMNS) if (!Object.is(s[c], e[c])) mismatches.push(`${e.date} ${c}: ${String(s[c])} vs ${String(e[c])}`);
    });
    expect(mismatches.slice(0, 10)).toEqual([]);
  });

  it('buildFeatures since a date rewrites only that slice and still changes nothing on unchanged data', async () => {
    const r = await buildFeatures({ warehouse }, { since: '2026-01-01' });
    expect(r.firstDate >= '2026-01-01').toBe(true);
    expect(r.changed).toBe(0);
    const count = await warehouse.query<{ n: string }>('SELECT COUNT(*) AS n FROM training.daily_ml_matrix');
    expect(Number(count[0].n)).toBe(4002);
  });

  it('publishForecast writes walk-forward predictions, model runs and the latest-forecast view; a rerun changes nothing', async () => {
    const first = await publishForecast({ warehouse });
    expect(first.modelRunIds).toHaveLength(2);
    for (const m of first.metrics) {
      expect(m.predictions).toBeGreaterThan(1000);
      expect(m.inserted).toBe(m.predictions);
      expect(m.rmse).toBeGreaterThan(0);
      // report, whatever the numbers are
      console.log(`h=${m.horizon}d n=${m.n} rmse=${m.rmse?.toFixed(5)} mae=${m.mae?.toFixed(5)} dir=${m.directional_accuracy?.toFixed(3)} | rw rmse=${m.rw_rmse?.toFixed(5)} mean rmse=${m.mean_rmse?.toFixed(5)} | skill_vs_rw=${m.skill_vs_rw?.toFixed(4)} skill_vs_mean=${m.skill_vs_mean?.toFixed(4)}`);
    }
    const runsBefore = await warehouse.query('SELECT * FROM forecasts.model_runs ORDER BY model_run_id');
    const again = await publishForecast({ warehouse });
    expect(again.modelRunIds).toEqual(first.modelRunIds);
    for (const m of again.metrics) expect([m.inserted, m.updated]).toEqual([0, 0]);
    expect(await warehouse.query('SELECT * FROM forecasts.model_runs ORDER BY model_run_id')).toEqual(runsBefore);
    expect(runsBefore).toHaveLength(2);

    const latest = await warehouse.query<{ horizon: string; forecast_date: string; model_run_id: string; prediction: number }>(
      'SELECT * FROM api.vw_latest_forecast ORDER BY horizon',
    );
    expect(latest.map((r) => [Number(r.horizon), r.forecast_date])).toEqual([[5, '2026-08-10'], [20, '2026-08-10']]);
    expect(latest.map((r) => r.model_run_id)).toEqual(first.modelRunIds);
  });

  it('incremental: when bars after 2026-03-31 disappear and come back, only those rows and the targets they touch change', async () => {
    await warehouse.query("DELETE FROM market_data.databento_futures_ohlcv_1d WHERE symbol = 'ZL.c.0' AND ts_event >= TIMESTAMP '2026-04-01 00:00:00'");
    const dropped = await buildFeatures({ warehouse });
    const removed = 4002 - dropped.rows;
    expect(removed).toBeGreaterThan(50);
    expect(dropped.deleted).toBe(removed);
    expect(dropped.inserted).toBe(0);
    // only rows whose forward window reached past the cut lose their targets (≤ 20 bars back); no feature changes
    expect(dropped.updated).toBeGreaterThan(0);
    expect(dropped.updated).toBeLessThanOrEqual(20);
    await loadRecordedDailyBars(warehouse, marketDataDir());
    const restored = await buildFeatures({ warehouse });
    expect([restored.rows, restored.inserted, restored.updated, restored.deleted]).toEqual([4002, removed, dropped.updated, 0]);
  });

  it('no training row of any refit had a target unknown at the refit (20-day: t + 20 bars before the month start)', async () => {
    for (const h of [5, 20]) {
      const rows = await warehouse.query<{ date: string; trained_through: string }>(
        `SELECT date, trained_through FROM forecasts.zl_predictions_${h}d ORDER BY date`,
      );
      const dates = (await warehouse.query<{ date: string }>('SELECT date FROM training.daily_ml_matrix ORDER BY date')).map((r) => r.date);
      const index = new Map(dates.map((d, i) => [d, i]));
      const leaks = rows.filter((r) => index.get(r.trained_through)! + h >= index.get(r.date)!);
      expect(leaks).toEqual([]);
    }
  });
});

describe('on a warehouse without ZL bars', () => {
  it('buildFeatures and publishForecast skip with a reason instead of failing a backfill of other symbols', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'features-empty-'));
    const warehouse = await createWarehouse({ kind: 'duckdb', path: path.join(dir, 'wh.duckdb') });
    try {
      const built = await buildFeatures({ warehouse });
      expect(built).toMatchObject({ rows: 0, changed: 0 });
      expect(built.skipped).toMatch(/no ZL\.c\.0 ohlcv-1d bars/);
      const published = await publishForecast({ warehouse });
      expect(published.modelRunIds).toEqual([]);
      expect(published.skipped).toMatch(/daily_ml_matrix is empty/);
    } finally {
      await warehouse.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
