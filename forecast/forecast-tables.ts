import type { ColumnSpec, TableSpec, ViewSpec } from '../warehouse/table-spec';

const col = (name: string, type: ColumnSpec['type'], nullable = true, description?: string): ColumnSpec => ({
  name,
  type,
  nullable,
  ...(description ? { description } : {}),
});

export const FORECAST_HORIZONS = [5, 20] as const;
export type ForecastHorizon = (typeof FORECAST_HORIZONS)[number];

/** `forecasts.zl_predictions_<h>d`: every walk-forward prediction of a model run. Re-running on the same data reproduces the same run id and rows. */
export function predictionsTable(horizon: ForecastHorizon): TableSpec {
  return {
    dataset: 'forecasts',
    name: `zl_predictions_${horizon}d`,
    description: `ZL ${horizon}-trading-day forward log-return forecasts (walk-forward, monthly refit)`,
    columns: [
      col('date', 'DATE', false, 'forecast origin: the ZL trading date whose close the forecast is made at'),
      col('horizon', 'INT64', false, 'trading days ahead'),
      col('model_run_id', 'STRING', false),
      col('prediction', 'FLOAT64', false, `forecast of ln(close[+${horizon} bars] / close)`),
      col('baseline_rw', 'FLOAT64', false, 'random walk: 0'),
      col('baseline_mean', 'FLOAT64', false, 'expanding mean of the targets known at the refit'),
      col('actual', 'FLOAT64', true, 'realised target; null when not yet known or the window spans a roll'),
      col('trained_through', 'DATE', false, 'last training row of the model that made the forecast'),
      col('n_train', 'INT64', false),
    ],
    key: ['date', 'model_run_id'],
    partition: { column: 'date', granularity: 'YEAR' },
    cluster: ['model_run_id'],
  };
}

export const modelRunsTable: TableSpec = {
  dataset: 'forecasts',
  name: 'model_runs',
  description: 'One row per walk-forward run and horizon: config, data hash and out-of-sample metrics against baselines',
  columns: [
    col('model_run_id', 'STRING', false, 'hash of the input rows and the config'),
    col('horizon', 'INT64', false),
    col('model', 'STRING', false),
    col('target', 'STRING', false),
    col('features', 'JSON', false, 'candidate feature columns'),
    col('lambda', 'FLOAT64', false, 'ridge penalty per training row'),
    col('min_train', 'INT64', false),
    col('data_hash', 'STRING', false),
    col('data_through', 'DATE', false, 'last matrix date'),
    col('trained_through', 'DATE', true, 'last training row of the latest refit'),
    col('n_train', 'INT64', true, 'training rows of the latest refit'),
    col('n_predictions', 'INT64', false),
    col('n_scored', 'INT64', false, 'predictions with a known actual'),
    col('first_prediction_date', 'DATE', true),
    col('last_prediction_date', 'DATE', true),
    col('rmse', 'FLOAT64'),
    col('mae', 'FLOAT64'),
    col('directional_accuracy', 'FLOAT64'),
    col('skill_vs_rw', 'FLOAT64', true, '1 − RMSE / RMSE(random walk)'),
    col('skill_vs_mean', 'FLOAT64', true, '1 − RMSE / RMSE(historical mean)'),
    col('rw_rmse', 'FLOAT64'),
    col('rw_mae', 'FLOAT64'),
    col('mean_rmse', 'FLOAT64'),
    col('mean_mae', 'FLOAT64'),
    col('mean_directional_accuracy', 'FLOAT64'),
    col('latest_model', 'JSON', true, 'intercept and standardised coefficients of the latest refit'),
    col('created_at', 'TIMESTAMP', false, 'data_through at 00:00 UTC: taken from the data, not the clock, so reruns are identical'),
  ],
  key: ['model_run_id'],
};

/** Latest run per horizon (by data_through, then id) joined to its latest prediction. */
export const latestForecastView: ViewSpec = {
  dataset: 'api',
  name: 'vw_latest_forecast',
  description: 'Latest ZL forecast per horizon with its model run and walk-forward metrics',
  sql: (dialect) => {
    const q = (name: string) => (dialect === 'bigquery' ? `\`${name}\`` : name);
    const preds = FORECAST_HORIZONS.map(
      (h) =>
        `SELECT date, horizon, model_run_id, prediction, baseline_rw, baseline_mean, trained_through FROM ${q(`forecasts.zl_predictions_${h}d`)}`,
    ).join('\n  UNION ALL\n  ');
    return `WITH runs AS (
  SELECT *, ROW_NUMBER() OVER (PARTITION BY horizon ORDER BY data_through DESC, model_run_id DESC) AS run_rank
  FROM ${q('forecasts.model_runs')}
),
preds AS (
  ${preds}
),
latest AS (
  SELECT p.*, ROW_NUMBER() OVER (PARTITION BY p.horizon ORDER BY p.date DESC) AS pred_rank
  FROM preds AS p
  JOIN runs AS r ON r.model_run_id = p.model_run_id AND r.run_rank = 1
)
SELECT
  l.horizon, l.date AS forecast_date, l.prediction, l.baseline_rw, l.baseline_mean, l.trained_through,
  r.model_run_id, r.model, r.data_through, r.n_train, r.n_scored, r.rmse, r.mae, r.directional_accuracy,
  r.skill_vs_rw, r.skill_vs_mean, r.rw_rmse, r.mean_rmse, r.mean_directional_accuracy, r.created_at
FROM latest AS l
JOIN runs AS r ON r.model_run_id = l.model_run_id AND r.run_rank = 1
WHERE l.pred_rank = 1`;
  },
};

export const forecastTables: (TableSpec | ViewSpec)[] = [...FORECAST_HORIZONS.map(predictionsTable), modelRunsTable, latestForecastView];
