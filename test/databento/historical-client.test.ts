import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeOhlcvColumns, readOhlcvFile, zstdDecompress } from '../../dbn';
import { createCsvRenderer } from '../../dbn/render-csv';
import { TsSymbolMap } from '../../dbn/symbol-map';
import { type DatabentoWarning, HistoricalClient } from '../../databento';
import { GATEWAY_TEST_KEY, type Gateway, startGateway } from '../../gateway/start-gateway';
import { computeCostUsd, GATEWAY_PRICE_TABLE_USD_PER_GB } from '../../gateway/price-table';
import { dataFile, marketDataDir } from '../support/market-data-dir';
import { NQ_1H, NQ_1H_RECORDS } from './nq-query';

/** the same query as downloaded from Databento as CSV (pretty_px, pretty_ts, map_symbols) */
const NQ_1H_CSV = 'databento-nq/ohlcv-1h/glbx-mdp3-20100606-20251231.ohlcv-1h.csv.zst';
const OHLCV_RECORD_BYTES = 56;

let gw: Gateway;
let client: HistoricalClient;
let dir: string;
const warnings: DatabentoWarning[] = [];

beforeAll(async () => {
  gw = await startGateway({ dataDir: marketDataDir(), port: 0, logger: pino({ level: 'silent' }) });
  client = new HistoricalClient({ apiKey: GATEWAY_TEST_KEY, baseUrl: gw.url, onWarning: (w) => warnings.push(w) });
  dir = await mkdtemp(path.join(os.tmpdir(), 'databento-client-'));
});

afterAll(async () => {
  await client?.close();
  await gw?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('HistoricalClient against the local gateway', () => {
  it('streams NQ.FUT ohlcv-1h 2010-06-06..2025-12-31 as DBN+zstd to a file that decodes to every recorded bar', async () => {
    gw.stats.reset();
    const file = path.join(dir, 'nq-1h.dbn.zst');
    let lastProgress = 0;
    const res = await client.timeseries.getRangeToFile(NQ_1H, file, { onProgress: (p) => (lastProgress = p.bytes) });
    expect(res.status).toBe(200);
    expect(res.path).toBe(file);
    expect(res.requestId).toMatch(/\S+/);
    expect(res.warnings).toEqual([]);
    const onDisk = await readFile(file);
    expect(res.bytes).toBe(onDisk.length);
    expect(lastProgress).toBe(onDisk.length);
    expect(res.sha256).toBe(createHash('sha256').update(onDisk).digest('hex'));
    expect(onDisk.readUInt32LE(0)).toBe(0xfd2fb528); // zstd, exactly as sent
    expect(gw.stats.getRange.requests).toBe(1);
    expect(gw.stats.getRange.bytes).toBe(res.bytes);

    const { metadata, columns } = await readOhlcvFile(file);
    expect(columns.length).toBe(NQ_1H_RECORDS);
    expect(metadata.dataset).toBe('GLBX.MDP3');
    expect(metadata.schema).toBe('ohlcv-1h');
    expect(metadata.stype_in).toBe('parent');
    expect(new Set(columns.rtype)).toEqual(new Set([0x22]));

    // rendered as Databento's CSV, the fetched records equal the recorded CSV download byte for byte
    const recorded = Buffer.from(zstdDecompress(await readFile(dataFile(NQ_1H_CSV))));
    const viaMetadata = createCsvRenderer(metadata, { pretty_px: true, pretty_ts: true, map_symbols: true });
    const csv = Buffer.concat([Buffer.from(viaMetadata.header()), viaMetadata.rowsBytes(columns)]);
    expect(csv.length).toBe(recorded.length);
    expect(csv.equals(recorded)).toBe(true);

    // and with symbols from symbology.resolve instead of the DBN metadata mappings
    const resolved = await client.symbology.resolve({ dataset: 'GLBX.MDP3', symbols: ['NQ.FUT'], stypeIn: 'parent', stypeOut: 'instrument_id', startDate: '2010-06-06', endDate: '2026-01-01' });
    const viaResolve = createCsvRenderer(metadata, { pretty_px: true, pretty_ts: true, map_symbols: true }, TsSymbolMap.fromSymbology(resolved.result));
    expect(Buffer.concat([Buffer.from(viaResolve.header()), viaResolve.rowsBytes(columns)]).equals(recorded)).toBe(true);
  });

  it('fetches the same range as CSV (zstd) equal to the recorded download', async () => {
    const file = path.join(dir, 'nq-1h.csv.zst');
    const res = await client.timeseries.getRangeToFile({ ...NQ_1H, encoding: 'csv', compression: 'zstd', prettyPx: true, prettyTs: true, mapSymbols: true }, file);
    expect(res.status).toBe(200);
    const fetched = Buffer.from(zstdDecompress(await readFile(file)));
    const recorded = Buffer.from(zstdDecompress(await readFile(dataFile(NQ_1H_CSV))));
    expect(fetched.equals(recorded)).toBe(true);
  });

  it('quotes the same query consistently: count = decoded records, size = records × 56, cost = size × the gateway price', async () => {
    const count = await client.metadata.getRecordCount(NQ_1H);
    const size = await client.metadata.getBillableSize(NQ_1H);
    const cost = await client.metadata.getCost(NQ_1H);
    expect(count).toBe(NQ_1H_RECORDS);
    expect(size).toBe(NQ_1H_RECORDS * OHLCV_RECORD_BYTES);
    expect(cost).toBeCloseTo(computeCostUsd(size, GATEWAY_PRICE_TABLE_USD_PER_GB['ohlcv-1h']), 12);
    expect(await client.metadata.getRecordCount({ ...NQ_1H, limit: 1000 })).toBe(1000);
  });

  it('answers the metadata family with validated shapes', async () => {
    expect(await client.metadata.listDatasets()).toContain('GLBX.MDP3');
    expect(await client.metadata.listSchemas({ dataset: 'GLBX.MDP3' })).toContain('ohlcv-1h');
    expect(await client.metadata.listPublishers()).toContainEqual(expect.objectContaining({ publisher_id: 1, dataset: 'GLBX.MDP3' }));
    const range = await client.metadata.getDatasetRange({ dataset: 'GLBX.MDP3' });
    expect(range.schema?.['ohlcv-1h']).toEqual({ start: '2010-06-06T00:00:00.000000000Z', end: '2026-01-01T00:00:00.000000000Z' });
    const cond = await client.metadata.getDatasetCondition({ dataset: 'GLBX.MDP3', startDate: '2025-12-01', endDate: '2025-12-03' });
    expect(cond.map((c) => c.date)).toEqual(['2025-12-01', '2025-12-02', '2025-12-03']);
    const prices = await client.metadata.listUnitPrices({ dataset: 'GLBX.MDP3' });
    expect(prices.find((p) => p.mode === 'historical')?.unit_prices['ohlcv-1h']).toBe(GATEWAY_PRICE_TABLE_USD_PER_GB['ohlcv-1h']);
  });

  it('resolves a parent symbol to instrument ids by date', async () => {
    const r = await client.symbology.resolve({
      dataset: 'GLBX.MDP3',
      symbols: ['NQ.FUT'],
      stypeIn: 'parent',
      stypeOut: 'instrument_id',
      startDate: '2025-12-01',
      endDate: '2025-12-03',
    });
    expect(r.not_found).toEqual([]);
    expect(Object.keys(r.result)).toContain('NQH6');
    for (const intervals of Object.values(r.result)) {
      for (const iv of intervals) {
        expect(iv.d0 < iv.d1).toBe(true);
        expect(iv.s).toMatch(/^\d+$/);
      }
    }
  });

  it('treats 206 as success and surfaces unresolved symbols as warnings', async () => {
    warnings.length = 0;
    const res = await client.timeseries.getRangeToFile(
      { ...NQ_1H, symbols: ['NQZ5', 'NQQQ9'], stypeIn: 'raw_symbol', start: '2025-12-01', end: '2025-12-02' },
      path.join(dir, 'partial.dbn.zst'),
    );
    expect(res.status).toBe(206);
    expect(res.warnings.length).toBeGreaterThan(0);
    expect(res.warnings.map((w) => w.message).join(' ')).toContain('NQQQ9');
    expect(warnings).toEqual(res.warnings);
    const { metadata, columns } = await readOhlcvFile(res.path);
    expect(metadata.not_found).toContain('NQQQ9');
    expect(columns.length).toBeGreaterThan(0);
  });

  it('streams a body as an async iterable', async () => {
    const q = { ...NQ_1H, start: '2025-12-01', end: '2025-12-08', compression: 'none' as const };
    const s = await client.timeseries.getRangeStream(q);
    const parts: Uint8Array[] = [];
    for await (const chunk of s.body) parts.push(chunk);
    const body = Buffer.concat(parts);
    expect(s.status).toBe(200);
    expect(body.subarray(0, 3).toString('latin1')).toBe('DBN');
    const metadataEnd = 8 + body.readUInt32LE(4);
    expect((body.length - metadataEnd) / OHLCV_RECORD_BYTES).toBe(await client.metadata.getRecordCount(q));
  });

  it('streams into a Writable sink honouring backpressure', async () => {
    const q = { ...NQ_1H, start: '2025-07-01', end: '2026-01-01' };
    const parts: Buffer[] = [];
    const slowSink = new Writable({
      highWaterMark: 1024,
      write(chunk: Buffer, _enc, cb) {
        parts.push(chunk);
        setImmediate(cb);
      },
    });
    const res = await client.timeseries.getRange(q, slowSink);
    const body = Buffer.concat(parts);
    expect(res.bytes).toBe(body.length);
    expect(res.sha256).toBe(createHash('sha256').update(body).digest('hex'));
    const { columns } = decodeOhlcvColumns(body);
    expect(columns.length).toBe(await client.metadata.getRecordCount(q));
  });

  it('submits a batch job, lists it and its files, downloads them verified', async () => {
    const job = await client.batch.submitJob({ ...NQ_1H, start: '2025-12-01', end: '2025-12-03', splitDuration: 'none' });
    expect(job.state).toBe('done');
    expect((await client.batch.listJobs({ states: ['done'] })).map((j) => j.id)).toContain(job.id);
    expect((await client.batch.getJobDetails(job.id)).id).toBe(job.id);
    const files = await client.batch.listFiles(job.id);
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) {
      const res = await client.batch.downloadFile(f, path.join(dir, f.filename));
      expect(res.attempts).toBe(1);
      expect(`sha256:${res.sha256}`).toBe(f.hash);
      expect(res.bytes).toBe(f.size);
    }
  });
});
