/**
 * Walk-forward metrics of the ZL forecast beside its baselines, computed from the real recordings
 * (ZL.c.0 2010–2026, CL 2024, FRED) without a warehouse. Prints a table, timings and the machine.
 *   npx tsx scripts/forecast-report.ts [--lambda 0.5] [--json]
 */
import os from 'node:os';
import { parseEnv } from '../config/env';
import { buildDailyMatrix } from '../features/build-daily-matrix';
import { FEATURE_COLUMNS } from '../features/feature-catalog';
import { recordedMatrixInput } from '../features/recorded-matrix-input';
import { publishForecastInputSchema, walkForwardConfig } from '../forecast/publish-forecast';
import { type ModelRow, walkForward, walkForwardMetrics } from '../forecast/walk-forward';

const args = process.argv.slice(2);
const lambdaArg = args.indexOf('--lambda');
const settings = publishForecastInputSchema.parse(lambdaArg >= 0 ? { lambda: Number(args[lambdaArg + 1]) } : {});
const env = parseEnv();

const t0 = performance.now();
const input = await recordedMatrixInput(env.MARKET_DATA_DIR);
const t1 = performance.now();
const matrix = buildDailyMatrix(input);
const t2 = performance.now();
const rows: ModelRow[] = matrix.map((r) => {
  const o: ModelRow = { date: r.date };
  for (const c of [...FEATURE_COLUMNS, 'target_ret_fwd_5', 'target_ret_fwd_20']) o[c] = r[c] as number | null;
  return o;
});

const fmt = (v: number | null, d = 5) => (v === null ? '—' : v.toFixed(d));
const report = [];
const lines = [
  `ZL.c.0 walk-forward (monthly refit, ridge λ=${settings.lambda}/row, min train ${settings.minTrain}); matrix ${matrix.length} rows ${matrix[0].date}..${matrix.at(-1)!.date}`,
  'h    n_scored  model_rmse  model_mae  model_dir | rw_rmse   rw_mae   | mean_rmse mean_mae  mean_dir | skill_vs_rw skill_vs_mean | walk-forward ms',
];
for (const h of settings.horizons) {
  const s = performance.now();
  const { predictions } = walkForward(rows, walkForwardConfig(h, settings));
  const ms = performance.now() - s;
  const m = walkForwardMetrics(h, predictions);
  report.push({ ...m, walkForwardMs: Math.round(ms) });
  lines.push(
    `${String(h).padEnd(4)} ${String(m.n).padEnd(9)} ${fmt(m.rmse).padEnd(11)} ${fmt(m.mae).padEnd(10)} ${fmt(m.directional_accuracy, 3).padEnd(9)} | ` +
      `${fmt(m.rw_rmse).padEnd(9)} ${fmt(m.rw_mae).padEnd(8)} | ${fmt(m.mean_rmse).padEnd(9)} ${fmt(m.mean_mae).padEnd(9)} ${fmt(m.mean_directional_accuracy, 3).padEnd(8)} | ` +
      `${fmt(m.skill_vs_rw, 4).padEnd(11)} ${fmt(m.skill_vs_mean, 4).padEnd(13)} | ${Math.round(ms)}`,
  );
}
lines.push(
  `read recordings ${Math.round(t1 - t0)} ms, buildDailyMatrix ${Math.round(t2 - t1)} ms`,
  `machine: ${os.cpus()[0]?.model ?? 'unknown cpu'}, ${os.cpus().length} cores, node ${process.version}`,
);
process.stdout.write(args.includes('--json') ? `${JSON.stringify(report, null, 2)}\n` : `${lines.join('\n')}\n`);
