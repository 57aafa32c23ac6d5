import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, it, expect } from 'vitest';
import { dataFile, marketDataDir, repoRoot } from '../support/market-data-dir';
import { zstdDecompress } from '../../dbn/zstd';

const run = promisify(execFile);

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run('npx', ['tsx', 'cli/main.ts', ...args], { cwd: repoRoot, maxBuffer: 64 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

describe('cli: dbn decode', () => {
  it('prints the ESH1 ohlcv-1d sample as Databento CSV, header first', async () => {
    const file = dataFile('databento-samples', 'databento-python', 'GLBX.MDP3', 'test_data.ohlcv-1d.dbn.zst');
    const { code, stdout } = await cli('dbn', 'decode', file);
    expect(code).toBe(0);
    expect(stdout).toBe(
      'ts_event,rtype,publisher_id,instrument_id,open,high,low,close,volume,symbol\n' +
        '2020-12-28T00:00:00.000000000Z,35,1,5482,3702.750000000,3735.000000000,3697.250000000,3735.000000000,718174,ESH1\n',
    );
  });

  it('prints JSON lines and honours --no-pretty-px / --no-map-symbols', async () => {
    const file = dataFile('databento-samples', 'dbn', 'test_data.mbp-1.v1.dbn.zst');
    const { code, stdout } = await cli('dbn', 'decode', file, '--encoding', 'json', '--no-pretty-px', '--no-map-symbols');
    expect(code).toBe(0);
    const lines = stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(2);
    expect(lines[0].hd.instrument_id).toBe(5482);
    expect(lines[0].price).toMatch(/^\d+$/);
    expect(lines[0]).not.toHaveProperty('symbol');
  });

  it('decodes a DBN rendering of the NQ 1h recording back to the original CSV bytes', async () => {
    // real data re-encoded: the downloaded CSV -> (parse) -> DBN v3 zstd file -> CLI -> CSV text
    const { readNqOhlcv1h } = await import('../../recordings');
    const { encodeOhlcvColumns } = await import('../../dbn/encode');
    const { zstdCompress } = await import('../../dbn/zstd');
    const { sliceOhlcvColumns } = await import('../../dbn/ohlcv-columns');
    const nq = await readNqOhlcv1h(marketDataDir());
    const n = 5000;
    const dbn = encodeOhlcvColumns(
      {
        dataset: 'GLBX.MDP3',
        schema: 'ohlcv-1h',
        start: nq.columns.ts_event[0],
        stype_in: 'raw_symbol',
        // mappings raw symbol -> instrument id by date, as Databento writes them
        mappings: [...new Map(nq.symbol.slice(0, n).map((s, i) => [s, nq.columns.instrument_id[i]]))].map(([s, id]) => ({
          raw_symbol: s,
          intervals: [{ start_date: '2010-06-06', end_date: '2012-01-01', symbol: String(id) }],
        })),
      },
      sliceOhlcvColumns(nq.columns, 0, n),
    );
    const dir = mkdtempSync(path.join(tmpdir(), 'dbn-cli-'));
    const file = path.join(dir, 'nq.dbn.zst');
    writeFileSync(file, zstdCompress(dbn));
    const { code, stdout } = await cli('dbn', 'decode', file);
    expect(code).toBe(0);
    const expected = Buffer.from(zstdDecompress(readFileSync(dataFile('databento-nq', 'ohlcv-1h', 'glbx-mdp3-20100606-20251231.ohlcv-1h.csv.zst'))))
      .toString('latin1')
      .split('\n')
      .slice(0, n + 1)
      .join('\n');
    expect(stdout).toBe(expected + '\n');
  });

  it('fails with a non-zero exit code and a message on stderr for a non-DBN or truncated file', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'dbn-cli-'));
    const notDbn = path.join(dir, 'not.dbn');
    writeFileSync(notDbn, 'ts_event,rtype\n');
    const r1 = await cli('dbn', 'decode', notDbn);
    expect(r1.code).not.toBe(0);
    expect(r1.stderr).toMatch(/DBN_BAD_MAGIC/);

    // test-only corruption: a truncated copy of a real sample
    const raw = zstdDecompress(readFileSync(dataFile('databento-samples', 'databento-python', 'GLBX.MDP3', 'test_data.trades.dbn.zst')));
    const truncated = path.join(dir, 'truncated.dbn');
    writeFileSync(truncated, raw.subarray(0, raw.length - 10));
    const r2 = await cli('dbn', 'decode', truncated);
    expect(r2.code).not.toBe(0);
    expect(r2.stderr).toMatch(/truncated record at byte \d+: 3 complete records before it/);
  });
});
