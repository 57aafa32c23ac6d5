import { createHash } from 'node:crypto';
import { createServer } from 'node:net';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Decompress } from 'fzstd';
import pino from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { HistoricalClient } from '../../databento';
import { GATEWAY_TEST_KEY, type Gateway, startGateway } from '../../gateway/start-gateway';
import { marketDataDir } from '../support/market-data-dir';
import { NQ_1H } from './nq-query';
import { placeholderDatabentoKey } from '../../gateway/placeholder-keys';


let gw: Gateway;
let client: HistoricalClient;
let dir: string;

beforeAll(async () => {
  gw = await startGateway({ dataDir: marketDataDir(), port: 0, logger: pino({ level: 'silent' }) });
  // small backoff steps keep the suite quick; Retry-After is still honoured in full
  client = new HistoricalClient({ apiKey: GATEWAY_TEST_KEY, baseUrl: gw.url, retry: { maxAttempts: 5, baseDelayMs: 20, maxDelayMs: 100 } });
  dir = await mkdtemp(path.join(os.tmpdir(), 'databento-faults-'));
});

afterAll(async () => {
  await client?.close();
  await gw?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

beforeEach(() => {
  for (const k of Object.keys(gw.faults)) delete gw.faults[k as keyof typeof gw.faults];
  gw.stats.reset();
});

/** Complete 56-byte OHLCV records in a (possibly truncated) DBN+zstd prefix, decoded independently of the client. */
function countOhlcvRecordsInPrefix(prefix: Uint8Array): number {
  const out: Uint8Array[] = [];
  new Decompress((chunk) => out.push(chunk)).push(prefix, false);
  const raw = Buffer.concat(out);
  if (raw.length < 8) return 0;
  const recordsStart = 8 + raw.readUInt32LE(4);
  return Math.max(0, Math.floor((raw.length - recordsStart) / 56));
}

describe('retries and typed errors under the gateway fault switches', () => {
  it('429 with Retry-After: the metadata call waits at least that long, then succeeds', async () => {
    gw.faults.rateLimit = { count: 1, retryAfterSeconds: 1 };
    const t0 = performance.now();
    const datasets = await client.metadata.listDatasets();
    const elapsed = performance.now() - t0;
    expect(datasets).toContain('GLBX.MDP3');
    expect(elapsed).toBeGreaterThanOrEqual(1000);
    expect(gw.stats.byEndpoint['metadata.list_datasets']).toBe(2);
  });

  it('503 twice: retried, then succeeds on the third request', async () => {
    gw.faults.serverError = { count: 2, status: 503 };
    expect(await client.metadata.getRecordCount({ ...NQ_1H, start: '2025-12-01', end: '2025-12-02' })).toBeGreaterThan(0);
    expect(gw.stats.byEndpoint['metadata.get_record_count']).toBe(3);
  });

  it('5xx beyond the attempt budget: throws the last DatabentoServerError', async () => {
    gw.faults.serverError = { count: 10, status: 502 };
    const err = await client.metadata.listSchemas({ dataset: 'GLBX.MDP3' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'DATABENTO_SERVER_ERROR', status: 502, retryable: true });
    expect(gw.stats.byEndpoint['metadata.list_schemas']).toBe(5);
  });

  it('401: thrown at once with Databento\'s message and the request id', async () => {
    const bad = new HistoricalClient({ apiKey: placeholderDatabentoKey('not-the-gateway-key'), baseUrl: gw.url });
    try {
      const err = (await bad.metadata.listDatasets().catch((e: unknown) => e)) as { code: string; requestId: string; message: string; retryable: boolean; status: number };
      expect(err).toMatchObject({ name: 'DatabentoAuthError', code: 'DATABENTO_AUTH', status: 401, retryable: false });
      expect(err.message).toContain('Authorization failed: bad key.');
      expect(err.requestId).toMatch(/\S{8,}/);
      expect(err.message).toContain(`[request-id: ${err.requestId}]`);
      expect(gw.stats.byEndpoint['metadata.list_datasets']).toBe(1);
    } finally {
      await bad.close();
    }
  });

  it('422: thrown at once with the business case, message, docs and request id', async () => {
    const err = (await client.metadata.getCost({ ...NQ_1H, start: '2001-01-01' }).catch((e: unknown) => e)) as {
      code: string;
      requestId: string;
      message: string;
      detail: { case?: string; docs?: string };
    };
    expect(err).toMatchObject({ name: 'DatabentoUnprocessableError', code: 'DATABENTO_UNPROCESSABLE', status: 422, retryable: false });
    expect(err.detail.case).toBe('data_start_before_available_start');
    expect(err.message).toContain('data_start_before_available_start');
    expect(err.message).toContain(`(docs: ${err.detail.docs})`);
    expect(err.message).toContain(`[request-id: ${err.requestId}]`);
    expect(gw.stats.byEndpoint['metadata.get_cost']).toBe(1);
  });

  it('a refused connection: DatabentoConnectionError after the attempt budget', async () => {
    const port = await new Promise<number>((resolve) => {
      const s = createServer();
      s.listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    const nowhere = new HistoricalClient({ apiKey: GATEWAY_TEST_KEY, baseUrl: `http://127.0.0.1:${port}`, retry: { maxAttempts: 2, baseDelayMs: 5 } });
    try {
      const err = await nowhere.metadata.listDatasets().catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'DATABENTO_CONNECTION', retryable: true, causeCode: 'ECONNREFUSED' });
    } finally {
      await nowhere.close();
    }
  });

  it('reset mid-stream on getRangeToFile: DatabentoStreamInterruptedError with bytes and complete records, not retried', async () => {
    gw.faults.resetAfterBytes = { bytes: 1_000_000 };
    const file = path.join(dir, 'reset.dbn.zst');
    const err = (await client.timeseries.getRangeToFile(NQ_1H, file, { keepPartial: true }).catch((e: unknown) => e)) as {
      code: string;
      bytesReceived: number;
      completeRecords: number;
      partialPath: string;
      retryable: boolean;
      requestId: string;
      message: string;
    };
    expect(err).toMatchObject({ name: 'DatabentoStreamInterruptedError', code: 'DATABENTO_STREAM_INTERRUPTED', retryable: true });
    expect(gw.stats.getRange.requests).toBe(1); // billed calls are not retried inside the client
    expect(existsSync(file)).toBe(false);
    expect(err.partialPath).toBe(`${file}.part`);
    const partial = await readFile(err.partialPath);
    expect(err.bytesReceived).toBe(partial.length);
    expect(err.bytesReceived).toBeGreaterThan(0);
    expect(err.bytesReceived).toBeLessThanOrEqual(1_000_000);
    const fullSize = (await client.metadata.getBillableSize(NQ_1H)) / 3; // zstd shrinks this data > 3x; the body is far bigger than 1 MB
    expect(err.bytesReceived).toBeLessThan(fullSize);
    const independentCount = countOhlcvRecordsInPrefix(partial);
    expect(independentCount).toBeGreaterThan(0);
    expect(err.completeRecords).toBe(independentCount);
    expect(err.message).toContain(`${independentCount} complete DBN records`);
    expect(err.message).toContain(`[request-id: ${err.requestId}]`);
  });

  it('reset mid-stream without keepPartial: the part file is removed', async () => {
    gw.faults.resetAfterBytes = { bytes: 300_000 };
    const file = path.join(dir, 'reset2.dbn.zst');
    const err = await client.timeseries.getRangeToFile(NQ_1H, file).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'DATABENTO_STREAM_INTERRUPTED' });
    expect((err as { partialPath?: string }).partialPath).toBeUndefined();
    expect(existsSync(`${file}.part`)).toBe(false);
    expect(existsSync(file)).toBe(false);
  });

  it('reset mid-stream on getRangeStream: the iterator throws DatabentoStreamInterruptedError', async () => {
    gw.faults.resetAfterBytes = { bytes: 200_000 };
    const s = await client.timeseries.getRangeStream(NQ_1H);
    let got = 0;
    const err = await (async () => {
      for await (const chunk of s.body) got += chunk.length;
    })().catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'DATABENTO_STREAM_INTERRUPTED', bytesReceived: got });
    expect(got).toBeLessThanOrEqual(200_000);
  });

  it('an abort during a slow body: DATABENTO_ABORTED, not retryable, no files left', async () => {
    gw.faults.slowBody = { bytesPerSecond: 200_000 };
    const file = path.join(dir, 'aborted.dbn.zst');
    const ac = new AbortController();
    let seen = 0;
    const err = await client.timeseries
      .getRangeToFile(NQ_1H, file, {
        signal: ac.signal,
        onProgress: (p) => {
          seen = p.bytes;
          if (p.bytes > 50_000) ac.abort();
        },
      })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'DATABENTO_ABORTED', retryable: false });
    expect(seen).toBeGreaterThan(50_000);
    expect(existsSync(file)).toBe(false);
    expect(existsSync(`${file}.part`)).toBe(false);
  });

  it('retryGetRange opts in to retrying a billed call after a 503', async () => {
    const retrying = new HistoricalClient({ apiKey: GATEWAY_TEST_KEY, baseUrl: gw.url, retryGetRange: true, retry: { baseDelayMs: 10 } });
    try {
      gw.faults.serverError = { count: 1, status: 503 };
      const res = await retrying.timeseries.getRangeToFile({ ...NQ_1H, start: '2025-12-01', end: '2025-12-02' }, path.join(dir, 'retried.dbn.zst'));
      expect(res.status).toBe(200);
      expect(gw.stats.byEndpoint['timeseries.get_range']).toBe(2);
    } finally {
      await retrying.close();
    }
  });

  it('a batch download broken by a reset resumes with Range and ends sha256-verified', async () => {
    const job = await client.batch.submitJob({ ...NQ_1H, splitDuration: 'none' });
    const files = await client.batch.listFiles(job.id);
    const data = files.find((f) => f.filename.endsWith('.dbn.zst'))!;
    expect(data.size).toBeGreaterThan(1_000_000);
    gw.stats.reset();
    gw.faults.resetAfterBytes = { bytes: 700_000, count: 1 };
    const dest = path.join(dir, data.filename);
    const progress: number[] = [];
    const res = await client.batch.downloadFile(data, dest, { onProgress: (p) => progress.push(p.bytes) });
    expect(res.attempts).toBe(2);
    expect(res.resumedFrom).toHaveLength(1);
    expect(res.resumedFrom[0]).toBeGreaterThan(0);
    expect(res.resumedFrom[0]).toBeLessThanOrEqual(700_000);
    expect(gw.stats.batchDownload.requests).toBe(2);
    expect(gw.stats.batchDownload.bytes).toBeLessThan(data.size + 700_000); // the second request sent only the rest
    const bytes = await readFile(dest);
    expect(bytes.length).toBe(data.size);
    expect(`sha256:${createHash('sha256').update(bytes).digest('hex')}`).toBe(data.hash);
    expect(res.sha256).toBe(data.hash.slice(7));
    expect(existsSync(`${dest}.part`)).toBe(false);
    expect(progress.at(-1)).toBe(data.size);
  });

  it('a download whose bytes do not match the listed hash: DatabentoChecksumError, nothing left behind', async () => {
    const job = await client.batch.submitJob({ ...NQ_1H, start: '2025-12-01', end: '2025-12-03', splitDuration: 'none' });
    const [first] = await client.batch.listFiles(job.id);
    // test-only corruption of the listing's hash (not of market data)
    const wrongHash = `sha256:${'0'.repeat(64)}`;
    const dest = path.join(dir, `bad-${first.filename}`);
    const err = await client.batch.downloadFile({ ...first, hash: wrongHash }, dest).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'DatabentoChecksumError', code: 'DATABENTO_CHECKSUM_MISMATCH', retryable: false, expected: '0'.repeat(64) });
    expect(existsSync(dest)).toBe(false);
    expect(existsSync(`${dest}.part`)).toBe(false);
  });

  it('an abandoned .part from an earlier process is resumed, not re-downloaded', async () => {
    const job = await client.batch.submitJob({ ...NQ_1H, splitDuration: 'none' });
    const data = (await client.batch.listFiles(job.id)).find((f) => f.filename.endsWith('.dbn.zst'))!;
    const dest = path.join(dir, `resume-${data.filename}`);
    gw.faults.resetAfterBytes = { bytes: 500_000, count: 1 };
    const once = new HistoricalClient({ apiKey: GATEWAY_TEST_KEY, baseUrl: gw.url, retry: { maxAttempts: 1 } });
    try {
      await expect(once.batch.downloadFile(data, dest)).rejects.toMatchObject({ code: 'DATABENTO_STREAM_INTERRUPTED' });
    } finally {
      await once.close();
    }
    const kept = (await stat(`${dest}.part`)).size;
    expect(kept).toBeGreaterThan(0);
    const res = await client.batch.downloadFile(data, dest);
    expect(res.resumedFrom).toEqual([kept]);
    expect(res.attempts).toBe(1);
    expect(`sha256:${res.sha256}`).toBe(data.hash);
  });
});
