import { mean, sampleStd } from '../features/window-stats';
import { ridgeSolve } from './ridge';

/** A matrix row as the model sees it: date, features and targets as numbers or null. */
export type ModelRow = { date: string } & Record<string, number | null | string>;

export interface WalkForwardConfig {
  horizon: number;
  /** column holding the target for this horizon */
  target: string;
  features: string[];
  /** ridge penalty per training row: the solve uses λ·n so shrinkage does not fade as the window grows */
  lambda: number;
  /** months with fewer known targets than this get no predictions */
  minTrain: number;
  /** a feature enters a refit only when known on at least this share of its training rows */
  minCoverage: number;
}

export interface Prediction {
  date: string;
  prediction: number;
  /** random walk: no change */
  baseline_rw: number;
  /** expanding historical mean of the known targets */
  baseline_mean: number;
  actual: number | null;
  /** date of the last training row; its target was known before the refit */
  trained_through: string;
  n_train: number;
}

export interface FittedModel {
  intercept: number;
  /** per used feature: training mean, std and coefficient on the standardised value */
  terms: { feature: string; mean: number; std: number; coef: number }[];
  trainedThrough: string;
  nTrain: number;
  refitDate: string;
}

/** Columns as dense arrays (NaN = missing), built once so each refit is plain array arithmetic. */
export interface ModelData {
  dates: string[];
  columns: Map<string, Float64Array>;
  target: Float64Array;
}

export function toModelData(rows: ModelRow[], config: Pick<WalkForwardConfig, 'features' | 'target'>): ModelData {
  const col = (name: string) => Float64Array.from(rows, (r) => (typeof r[name] === 'number' ? (r[name] as number) : Number.NaN));
  return { dates: rows.map((r) => r.date), columns: new Map(config.features.map((f) => [f, col(f)])), target: col(config.target) };
}

/**
 * Standardise on the training rows (missing values become the mean, i.e. 0), centre y, ridge-solve.
 * Features known on less than `minCoverage` of the rows, or with zero spread, are left out (e.g. CL, only 2024).
 */
export function fitRidge(data: ModelData, train: readonly number[], config: WalkForwardConfig, refitDate: string): FittedModel {
  const y = train.map((i) => data.target[i]);
  const yMean = mean(y);
  const terms: FittedModel['terms'] = [];
  const used: Float64Array[] = [];
  for (const f of config.features) {
    const column = data.columns.get(f)!;
    const xs = train.map((i) => column[i]).filter((v) => !Number.isNaN(v));
    if (xs.length < config.minCoverage * train.length) continue;
    const sd = sampleStd(xs);
    if (sd === null || !(sd > 0)) continue;
    terms.push({ feature: f, mean: mean(xs), std: sd, coef: 0 });
    used.push(column);
  }
  const z = train.map((i) => terms.map((t, j) => (Number.isNaN(used[j][i]) ? 0 : (used[j][i] - t.mean) / t.std)));
  const beta = terms.length ? ridgeSolve(z, y.map((v) => v - yMean), config.lambda * train.length) : [];
  terms.forEach((t, j) => (t.coef = beta[j]));
  return { intercept: yMean, terms, trainedThrough: data.dates[train[train.length - 1]], nTrain: train.length, refitDate };
}

export function predictAt(model: FittedModel, data: ModelData, i: number): number {
  let s = model.intercept;
  for (const t of model.terms) {
    const v = data.columns.get(t.feature)![i];
    if (!Number.isNaN(v)) s += (t.coef * (v - t.mean)) / t.std;
  }
  return s;
}

/**
 * Walk-forward: at the first row of each calendar month, refit on every earlier row whose h-bar target was
 * already known, i.e. row i with i + h ≤ m − 1 (its target is the close h bars later), then predict each row
 * of the month. Rows are consecutive ZL bars in date order.
 */
export function walkForward(rows: ModelRow[], config: WalkForwardConfig): { predictions: Prediction[]; lastModel: FittedModel | null } {
  const data = toModelData(rows, config);
  const predictions: Prediction[] = [];
  let lastModel: FittedModel | null = null;
  const h = config.horizon;
  for (let m = 0; m < rows.length; ) {
    const month = rows[m].date.slice(0, 7);
    let end = m;
    while (end < rows.length && rows[end].date.slice(0, 7) === month) end++;
    const train: number[] = [];
    for (let i = 0; i + h <= m - 1; i++) if (!Number.isNaN(data.target[i])) train.push(i);
    if (train.length >= config.minTrain) {
      const model = fitRidge(data, train, config, rows[m].date);
      lastModel = model;
      for (let i = m; i < end; i++) {
        const actual = data.target[i];
        predictions.push({
          date: rows[i].date,
          prediction: predictAt(model, data, i),
          baseline_rw: 0,
          baseline_mean: model.intercept,
          actual: Number.isNaN(actual) ? null : actual,
          trained_through: model.trainedThrough,
          n_train: model.nTrain,
        });
      }
    }
    m = end;
  }
  return { predictions, lastModel };
}

export interface ForecastMetrics {
  n: number;
  rmse: number | null;
  mae: number | null;
  directional_accuracy: number | null;
}

/** RMSE, MAE and the share of non-zero actual moves whose sign the forecast got right (a 0 forecast is wrong). */
export function scoreForecasts(pairs: { forecast: number; actual: number }[], directional = true): ForecastMetrics {
  const n = pairs.length;
  if (n === 0) return { n, rmse: null, mae: null, directional_accuracy: null };
  let se = 0;
  let ae = 0;
  let hits = 0;
  let moves = 0;
  for (const { forecast, actual } of pairs) {
    se += (forecast - actual) ** 2;
    ae += Math.abs(forecast - actual);
    if (actual !== 0) {
      moves++;
      if (Math.sign(forecast) === Math.sign(actual)) hits++;
    }
  }
  return { n, rmse: Math.sqrt(se / n), mae: ae / n, directional_accuracy: directional && moves > 0 ? hits / moves : null };
}

export interface WalkForwardMetrics {
  horizon: number;
  n: number;
  rmse: number | null;
  mae: number | null;
  directional_accuracy: number | null;
  rw_rmse: number | null;
  rw_mae: number | null;
  mean_rmse: number | null;
  mean_mae: number | null;
  mean_directional_accuracy: number | null;
  /** 1 − RMSE_model / RMSE_random_walk */
  skill_vs_rw: number | null;
  /** 1 − RMSE_model / RMSE_historical_mean */
  skill_vs_mean: number | null;
}

export function walkForwardMetrics(horizon: number, predictions: Prediction[]): WalkForwardMetrics {
  const known = predictions.filter((p): p is Prediction & { actual: number } => p.actual !== null);
  const model = scoreForecasts(known.map((p) => ({ forecast: p.prediction, actual: p.actual })));
  // a no-change forecast has no direction
  const rw = scoreForecasts(known.map((p) => ({ forecast: p.baseline_rw, actual: p.actual })), false);
  const hist = scoreForecasts(known.map((p) => ({ forecast: p.baseline_mean, actual: p.actual })));
  const skill = (a: number | null, b: number | null) => (a !== null && b !== null && b > 0 ? 1 - a / b : null);
  return {
    horizon,
    n: model.n,
    rmse: model.rmse,
    mae: model.mae,
    directional_accuracy: model.directional_accuracy,
    rw_rmse: rw.rmse,
    rw_mae: rw.mae,
    mean_rmse: hist.rmse,
    mean_mae: hist.mae,
    mean_directional_accuracy: hist.directional_accuracy,
    skill_vs_rw: skill(model.rmse, rw.rmse),
    skill_vs_mean: skill(model.rmse, hist.rmse),
  };
}
