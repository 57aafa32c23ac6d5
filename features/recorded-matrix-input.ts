import { readFredRecording } from '../fred/read-fred-recording';
import { readClContinuous, readZlDaily } from '../recordings';
import type { MatrixInput } from './build-daily-matrix';
import { dailyBarsFromColumns } from './daily-bars';
import { FRED_SERIES_USED } from './feature-catalog';

/**
 * Matrix inputs straight from the real recordings (ZL.c.0, CL.n.0 2024, FRED), bypassing the warehouse:
 * for reports and tests that check the warehouse path gives the same matrix.
 */
export async function recordedMatrixInput(marketDataDir: string): Promise<MatrixInput> {
  const zl = await readZlDaily(marketDataDir);
  const cl = await readClContinuous(marketDataDir);
  const fred: MatrixInput['fred'] = {};
  for (const id of FRED_SERIES_USED) {
    fred[id] = (await readFredRecording(marketDataDir, id)).observations.map((o) => ({ date: o.date, value: o.value === null ? null : Number(o.value) }));
  }
  return {
    zl: dailyBarsFromColumns(zl.columns, zl.symbol, 'ZL.c.0'),
    crossAssets: { CL: dailyBarsFromColumns(cl.columns, cl.symbol, 'CL.n.0') },
    fred,
  };
}

/** Every input cut at `t`: only what was known by the close of t. */
export function truncateMatrixInput(input: MatrixInput, t: string): MatrixInput {
  return {
    zl: input.zl.filter((b) => b.date <= t),
    crossAssets: Object.fromEntries(Object.entries(input.crossAssets).map(([k, bars]) => [k, bars.filter((b) => b.date <= t)])),
    fred: Object.fromEntries(Object.entries(input.fred).map(([k, pts]) => [k, pts.filter((p) => p.date <= t)])),
  };
}
