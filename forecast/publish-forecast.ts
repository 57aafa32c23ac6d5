import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { Logger } from '../logging/logger';
import { FEATURE_COLUMNS } from '../features/feature-catalog';
import { dailyMlMatrixTable } from '../features/feature-tables';
import type { Row } from '../warehouse/table-spec';
import type { Warehouse } from '../warehouse/warehouse';
import { FORECAST_HORIZONS, type ForecastHorizon, forecastTables, modelRunsTable, predictionsTable } from './forecast-tables';
import { type ModelRow, type WalkForwardConfig, type WalkForwardMetrics, walkForward, walkForwardMetrics } from './walk-forward';

const MATRIX = `${dailyMlMatrixTable.dataset}.${dailyMlMatrixTable.name}`;
export const MODEL_NAME = 'ridge-standardised-v1';

export const publishForecastInputSchema = z.object({
  horizons: z.array(z.union([z.literal(5), z.literal(20)])).min(1).default([...FORECAST_HORIZONS]),
  /** ridge penalty per training row, fixed in advance (not tuned on the test period) */
  lambda: z.number().positive().default(0.5),
  minTrain: z.number().int().min(30).default(250),
  minCoverage: z.number().min(0).max(1).default(0.5),
});
export type PublishForecastInput = z.input<typeof publishForecastInputSchema>;

export interface PublishForecastResult {
  modelRunIds: string[];
  /** why nothing was published (empty matrix) */
  skipped?: string;
  metrics: (WalkForwardMetrics & { model_run_id: string; predictions: number; inserted: number; updated: number })[];
}

/** The reason publishForecast skips (returned as `skipped`, not thrown). */
export class NoFeaturesError extends Error {
  override readonly name = 'NoFeaturesError';
  readonly code = 'FORECAST_NO_FEATURES';
  readonly retryable = false;
  constructor() {
    super(`${MATRIX} is empty: run buildFeatures first`);
  }
}

/** Matrix rows from the warehouse as numbers (FLOAT64 arrive as numbers; id columns are not model inputs). */
export async function readModelRows(warehouse: Warehouse): Promise<ModelRow[]> {
  const cols = ['date', ...FEATURE_COLUMNS, 'target_ret_fwd_5', 'target_ret_fwd_20'];
  const rows = await warehouse.query<Record<string, unknown>>(`SELECT ${cols.join(', ')} FROM ${MATRIX} ORDER BY date`);
  return rows.map((r) => {
    const out: ModelRow = { date: String(r.date) };
    for (const c of cols.slice(1)) out[c] = r[c] === null || r[c] === undefined ? null : Number(r[c]);
    return out;
  });
}

/** Deterministic id: the same matrix and config always give the same run id (so a rerun changes nothing). */
export function modelRunId(horizon: number, rows: ModelRow[], config: WalkForwardConfig): { id: string; dataHash: string } {
  const data = createHash('sha256');
  const cols = [...config.features, config.target];
  for (const r of rows) data.update(`${r.date}|${cols.map((c) => (r[c] === null ? '' : String(r[c]))).join('|')}\n`);
  const dataHash = data.digest('hex');
  const id = createHash('sha256').update(JSON.stringify({ model: MODEL_NAME, config, dataHash })).digest('hex').slice(0, 20);
  return { id: `zl-${horizon}d-${id}`, dataHash };
}

export function walkForwardConfig(horizon: ForecastHorizon, input: { lambda: number; minTrain: number; minCoverage: number }): WalkForwardConfig {
  return {
    horizon,
    target: `target_ret_fwd_${horizon}`,
    features: [...FEATURE_COLUMNS],
    lambda: input.lambda,
    minTrain: input.minTrain,
    minCoverage: input.minCoverage,
  };
}

/**
 * Walk-forward ridge forecasts of ZL's 5- and 20-day forward log returns with random-walk and historical-mean
 * baselines, written to forecasts.zl_predictions_<h>d and forecasts.model_runs (see api.vw_latest_forecast).
 */
export async function publishForecast(deps: { warehouse: Warehouse; logger?: Logger }, rawInput: PublishForecastInput = {}): Promise<PublishForecastResult> {
  const input = publishForecastInputSchema.parse(rawInput);
  const { warehouse } = deps;
  await warehouse.ensureTables([dailyMlMatrixTable, ...forecastTables]);
  const rows = await readModelRows(warehouse);
  if (rows.length === 0) {
    const skipped = new NoFeaturesError().message;
    deps.logger?.warn(skipped);
    return { modelRunIds: [], metrics: [], skipped };
  }
  const result: PublishForecastResult = { modelRunIds: [], metrics: [] };
  for (const horizon of input.horizons) {
    const config = walkForwardConfig(horizon, input);
    const { id, dataHash } = modelRunId(horizon, rows, config);
    const { predictions, lastModel } = walkForward(rows, config);
    const metrics = walkForwardMetrics(horizon, predictions);
    const predRows: Row[] = predictions.map((p) => ({ ...p, horizon, model_run_id: id }));
    const written = predRows.length ? await warehouse.upsertRows(predictionsTable(horizon), predRows) : { inserted: 0, updated: 0 };
    const dataThrough = rows[rows.length - 1].date;
    await warehouse.upsertRows(modelRunsTable, [
      {
        model_run_id: id,
        horizon,
        model: MODEL_NAME,
        target: config.target,
        features: JSON.stringify(config.features),
        lambda: config.lambda,
        min_train: config.minTrain,
        data_hash: dataHash,
        data_through: dataThrough,
        trained_through: lastModel?.trainedThrough ?? null,
        n_train: lastModel?.nTrain ?? null,
        n_predictions: predictions.length,
        n_scored: metrics.n,
        first_prediction_date: predictions[0]?.date ?? null,
        last_prediction_date: predictions.at(-1)?.date ?? null,
        rmse: metrics.rmse,
        mae: metrics.mae,
        directional_accuracy: metrics.directional_accuracy,
        skill_vs_rw: metrics.skill_vs_rw,
        skill_vs_mean: metrics.skill_vs_mean,
        rw_rmse: metrics.rw_rmse,
        rw_mae: metrics.rw_mae,
        mean_rmse: metrics.mean_rmse,
        mean_mae: metrics.mean_mae,
        mean_directional_accuracy: metrics.mean_directional_accuracy,
        latest_model: lastModel ? JSON.stringify({ intercept: lastModel.intercept, refit_date: lastModel.refitDate, terms: lastModel.terms }) : null,
        created_at: `${dataThrough}T00:00:00Z`,
      },
    ]);
    result.modelRunIds.push(id);
    result.metrics.push({ ...metrics, model_run_id: id, predictions: predictions.length, inserted: written.inserted, updated: written.updated });
    deps.logger?.info({ model_run_id: id, ...metrics }, 'forecast published');
  }
  return result;
}
