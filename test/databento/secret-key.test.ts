import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { inspect } from 'node:util';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HistoricalClient } from '../../databento';
import { type Gateway, startGateway } from '../../gateway/start-gateway';
import { marketDataDir } from '../support/market-data-dir';
import { placeholderDatabentoKey } from '../../gateway/placeholder-keys';

// distinctive 32-char keys: any trace of them (or of their base64 forms) in output is a leak
const SECRET = placeholderDatabentoKey('leak-canary-Zq7x4W2pL8vK');
const OTHER_SECRET = placeholderDatabentoKey('other-canary-Yh3m1R8tQ2zN0');

function forms(key: string): string[] {
  return [key, Buffer.from(`${key}:`).toString('base64'), Buffer.from(key).toString('base64'), key.slice(3, 20)];
}

const NQ_1H = { dataset: 'GLBX.MDP3', symbols: ['NQ.FUT'], stypeIn: 'parent' as const, schema: 'ohlcv-1h' as const, start: '2010-06-06', end: '2026-01-01' };

let gw: Gateway;
let dir: string;
const logLines: string[] = [];
const capture = new Writable({
  write(chunk, _enc, cb) {
    logLines.push(String(chunk));
    cb();
  },
});
const logger = pino({ level: 'trace' }, capture);

beforeAll(async () => {
  gw = await startGateway({ dataDir: marketDataDir(), port: 0, apiKey: SECRET, logger: pino({ level: 'silent' }) });
  dir = await mkdtemp(path.join(os.tmpdir(), 'databento-secret-'));
});

afterAll(async () => {
  await gw?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
}

describe('the API key never leaks', () => {
  it('appears in no error, serialized client or log line, whatever goes wrong', async () => {
    const opts = { logger, retry: { maxAttempts: 2, baseDelayMs: 5, maxDelayMs: 10 } };
    const good = new HistoricalClient({ apiKey: SECRET, baseUrl: gw.url, ...opts });
    const bad = new HistoricalClient({ apiKey: OTHER_SECRET, baseUrl: gw.url, ...opts });
    const nowhere = new HistoricalClient({ apiKey: SECRET, baseUrl: `http://127.0.0.1:${await freePort()}`, ...opts });
    const errors: unknown[] = [];
    const capture = async (p: Promise<unknown>): Promise<void> => {
      const e = await p.then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(e, 'each provocation must fail').toBeDefined();
      errors.push(e);
    };
    const clear = (): void => {
      for (const k of Object.keys(gw.faults)) delete gw.faults[k as keyof typeof gw.faults];
    };
    try {
      await good.metadata.listDatasets(); // a successful call logs too
      await capture(bad.metadata.listDatasets()); // 401
      await capture(good.metadata.getCost({ ...NQ_1H, start: '2001-01-01' })); // 422
      await capture(good.metadata.getCost({ ...NQ_1H, schema: 'nope' as 'ohlcv-1h' })); // input validation
      gw.faults.rateLimit = { count: 5, retryAfterSeconds: 0 };
      await capture(good.metadata.listSchemas({ dataset: 'GLBX.MDP3' })); // 429 after retries
      clear();
      gw.faults.serverError = { count: 5, status: 503 };
      await capture(good.metadata.listPublishers()); // 503 after retries
      clear();
      await capture(nowhere.metadata.listDatasets()); // connection refused
      gw.faults.resetAfterBytes = { bytes: 100_000 };
      await capture(good.timeseries.getRangeToFile(NQ_1H, path.join(dir, 'x.dbn.zst'))); // stream interrupted
      clear();
      const job = await good.batch.submitJob({ ...NQ_1H, start: '2025-12-01', end: '2025-12-02', splitDuration: 'none' });
      const [file] = await good.batch.listFiles(job.id);
      await capture(good.batch.downloadFile({ ...file, hash: `sha256:${'f'.repeat(64)}` }, path.join(dir, 'y'))); // checksum (test-only wrong hash)
      const ac = new AbortController();
      ac.abort();
      await capture(good.metadata.listDatasets({}, { signal: ac.signal })); // aborted
      expect(() => new HistoricalClient({ apiKey: `${SECRET} with space` })).toThrow();
      try {
        new HistoricalClient({ apiKey: `${SECRET} with space` });
      } catch (e) {
        errors.push(e);
      }

      const codes = errors.map((e) => (e as { code?: string }).code);
      expect(codes).toEqual([
        'DATABENTO_AUTH',
        'DATABENTO_UNPROCESSABLE',
        'DATABENTO_INVALID_INPUT',
        'DATABENTO_RATE_LIMITED',
        'DATABENTO_SERVER_ERROR',
        'DATABENTO_CONNECTION',
        'DATABENTO_STREAM_INTERRUPTED',
        'DATABENTO_CHECKSUM_MISMATCH',
        'DATABENTO_ABORTED',
        'DATABENTO_INVALID_INPUT',
      ]);

      const surfaces: string[] = [];
      for (const e of errors) {
        const err = e as Error;
        surfaces.push(err.message, String(err.stack), JSON.stringify(err), inspect(err, { depth: 10, showHidden: true }), String(err.cause));
      }
      for (const c of [good, bad, nowhere]) {
        surfaces.push(JSON.stringify(c), inspect(c, { depth: 10, showHidden: true }), String(c));
        surfaces.push(inspect(c.metadata, { depth: 10, showHidden: true }), inspect(c.timeseries, { depth: 10, showHidden: true }));
        surfaces.push(JSON.stringify(c.batch), JSON.stringify(c.symbology));
      }
      expect(logLines.length).toBeGreaterThan(5); // retries and responses were logged
      surfaces.push(...logLines);
      const all = surfaces.join('\n');
      for (const secret of [...forms(SECRET), ...forms(OTHER_SECRET)]) {
        expect(all.includes(secret), `leaked ${secret.length}-char form`).toBe(false);
      }
      expect(JSON.stringify(good)).toContain(gw.url);
    } finally {
      await Promise.all([good.close(), bad.close(), nowhere.close()]);
    }
  });
});
