import { beforeAll, describe, expect, it } from 'vitest';
import { buildDailyMatrix } from '../../features/build-daily-matrix';
import { FEATURE_COLUMNS } from '../../features/feature-catalog';
import { modelRunId, walkForwardConfig } from '../../forecast/publish-forecast';
import { cholesky, choleskySolve, NotPositiveDefiniteError, ridgeSolve } from '../../forecast/ridge';
import { fitRidge, type ModelRow, toModelData, walkForward, walkForwardMetrics } from '../../forecast/walk-forward';
import { recordedMatrixInput } from '../../features/recorded-matrix-input';
import { marketDataDir } from '../support/market-data-dir';

describe('Cholesky (linear-algebra unit test, no market data)', () => {
  it('factors and solves a symmetric positive definite system', () => {
    const a = [[4, 12, -16], [12, 37, -43], [-16, -43, 98]];
    expect(cholesky(a)).toEqual([[2, 0, 0], [6, 1, 0], [-8, 5, 3]]);
    const x = choleskySolve(cholesky(a), [1, 2, 3]);
    a.forEach((row, i) => expect(row.reduce((s, v, j) => s + v * x[j], 0)).toBeCloseTo([1, 2, 3][i], 10));
  });
  it('refuses a matrix that is not positive definite', () => {
    expect(() => cholesky([[1, 2], [2, 1]])).toThrow(NotPositiveDefiniteError);
  });
});

describe('walk-forward ridge on the real ZL matrix', () => {
  let rows: ModelRow[];
  beforeAll(async () => {
    rows = buildDailyMatrix(await recordedMatrixInput(marketDataDir())).map((r) => {
      const o: ModelRow = { date: r.date };
      for (const c of [...FEATURE_COLUMNS, 'target_ret_fwd_5', 'target_ret_fwd_20']) o[c] = r[c] as number | null;
      return o;
    });
  });

  it('ridge solution satisfies the normal equations ZᵀZβ + λβ = Zᵀy on a real training window', () => {
    const config = walkForwardConfig(5, { lambda: 0.5, minTrain: 250, minCoverage: 0.5 });
    const train = rows.slice(0, 1500).filter((r) => typeof r.target_ret_fwd_5 === 'number');
    const model = fitRidge(toModelData(train, config), [...train.keys()], config, rows[1500].date);
    expect(model.terms.length).toBeGreaterThan(10);
    const z = train.map((r) => model.terms.map((t) => (typeof r[t.feature] === 'number' ? ((r[t.feature] as number) - t.mean) / t.std : 0)));
    const y = train.map((r) => (r.target_ret_fwd_5 as number) - model.intercept);
    const lambda = config.lambda * train.length;
    const beta = ridgeSolve(z, y, lambda);
    expect(beta).toEqual(model.terms.map((t) => t.coef));
    for (let j = 0; j < beta.length; j++) {
      let lhs = lambda * beta[j];
      let rhs = 0;
      for (let r = 0; r < z.length; r++) {
        lhs += z[r][j] * z[r].reduce((s, v, k) => s + v * beta[k], 0);
        rhs += z[r][j] * y[r];
      }
      expect(lhs).toBeCloseTo(rhs, 8);
    }
    // CL (2024 only) is too sparse to enter a refit
    expect(model.terms.some((t) => t.feature.startsWith('cl_'))).toBe(false);
  });

  it.each([5, 20] as const)('h=%i: each refit trains only on rows whose target was known before the month began', (h) => {
    const { predictions } = walkForward(rows, walkForwardConfig(h, { lambda: 0.5, minTrain: 250, minCoverage: 0.5 }));
    const index = new Map(rows.map((r, i) => [r.date, i]));
    expect(predictions.length).toBeGreaterThan(1000);
    const leaks = predictions.filter((p) => {
      const firstOfMonth = rows.findIndex((r) => r.date.slice(0, 7) === p.date.slice(0, 7));
      return index.get(p.trained_through)! + h > firstOfMonth - 1;
    });
    expect(leaks).toEqual([]);
    for (const p of predictions) expect(p.baseline_rw).toBe(0);
  });

  it('is deterministic: same data and config give the same predictions and the same run id; other data another id', () => {
    const config = walkForwardConfig(5, { lambda: 0.5, minTrain: 250, minCoverage: 0.5 });
    const a = walkForward(rows, config);
    const b = walkForward(rows, config);
    expect(b.predictions).toEqual(a.predictions);
    expect(modelRunId(5, rows, config)).toEqual(modelRunId(5, rows, config));
    expect(modelRunId(5, rows.slice(0, -1), config).id).not.toBe(modelRunId(5, rows, config).id);
    const m = walkForwardMetrics(5, a.predictions);
    expect(m.skill_vs_rw).toBeCloseTo(1 - m.rmse! / m.rw_rmse!, 12);
    expect(m.n).toBe(a.predictions.filter((p) => p.actual !== null).length);
  });
});
