import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HistoricalClient } from './historical-client';
import { getRangeParams, getRangeQuerySchema, rangeQuerySchema, resolveInputSchema, submitJobInputSchema } from './schemas';
import { placeholderDatabentoKey } from '../gateway/placeholder-keys';

const base = { dataset: 'GLBX.MDP3', schema: 'ohlcv-1h' as const, stypeIn: 'parent' as const, symbols: ['NQ.FUT'], start: '2010-06-06', end: '2025-12-31' };

describe('request schemas', () => {
  it('turns a query into wire form with exact integer-ns times', () => {
    const p = getRangeParams(getRangeQuerySchema.parse({ ...base, start: '2020-12-28T00:00:00.000000001Z' }));
    expect(p).toEqual({
      dataset: 'GLBX.MDP3',
      symbols: 'NQ.FUT',
      schema: 'ohlcv-1h',
      start: '1609113600000000001',
      end: '1767139200000000000',
      stype_in: 'parent',
      stype_out: 'instrument_id',
      encoding: 'dbn',
      compression: 'zstd',
    });
    expect(getRangeParams(getRangeQuerySchema.parse({ ...base, start: 1609113600000000000n, end: undefined, encoding: 'csv', prettyPx: true, mapSymbols: false })))
      .toMatchObject({ start: '1609113600000000000', encoding: 'csv', pretty_px: 'true', map_symbols: 'false' });
  });

  it('defaults symbols to ALL_SYMBOLS and splits comma strings', () => {
    expect(rangeQuerySchema.parse({ ...base, symbols: undefined }).symbols).toEqual(['ALL_SYMBOLS']);
    expect(rangeQuerySchema.parse({ ...base, symbols: 'NQZ5, NQH6' }).symbols).toEqual(['NQZ5', 'NQH6']);
  });

  const bad: [string, Record<string, unknown>, string][] = [
    ['2,001 symbols', { symbols: Array.from({ length: 2001 }, (_, i) => `S${i}`) }, 'symbols'],
    ['an empty symbol', { symbols: ['NQZ5', ''] }, 'symbols'],
    ['an unknown schema', { schema: 'ohlcv-2h' }, 'schema'],
    ['an unknown stype', { stypeIn: 'ticker' }, 'stypeIn'],
    ['a bad dataset code', { dataset: 'glbx' }, 'dataset'],
    ['a junk start', { start: 'yesterday' }, 'start'],
    ['end before start', { start: '2025-01-02', end: '2025-01-01' }, 'end'],
    ['end equal to start', { start: '2025-01-01', end: '2025-01-01T00:00:00Z' }, 'end'],
    ['a zero limit', { limit: 0 }, 'limit'],
    ['a snake_case key', { stype_in: 'parent' }, '(input)'],
  ];
  it.each(bad)('rejects %s', (_label, patch, field) => {
    const r = rangeQuerySchema.safeParse({ ...base, ...patch });
    expect(r.success).toBe(false);
    const paths = r.error!.issues.map((i) => (i.path.length ? i.path.join('.') : '(input)'));
    expect(paths).toContain(field);
  });

  it('checks encoding/compression enums, resolve dates and batch split options', () => {
    expect(getRangeQuerySchema.safeParse({ ...base, compression: 'gzip' }).success).toBe(false);
    expect(getRangeQuerySchema.safeParse({ ...base, encoding: 'parquet' }).success).toBe(false);
    expect(resolveInputSchema.safeParse({ dataset: 'GLBX.MDP3', symbols: ['NQ.FUT'], stypeIn: 'parent', stypeOut: 'instrument_id', startDate: '2025-02-30' }).success).toBe(false);
    expect(resolveInputSchema.safeParse({ dataset: 'GLBX.MDP3', symbols: ['NQ.FUT'], stypeIn: 'parent', stypeOut: 'instrument_id', startDate: '2025-02-03', endDate: '2025-02-01' }).success).toBe(false);
    expect(submitJobInputSchema.safeParse({ ...base, splitDuration: 'hour' }).success).toBe(false);
    expect(submitJobInputSchema.safeParse({ ...base, end: undefined }).success).toBe(false);
  });
});

describe('client input validation happens before any request', () => {
  let server: Server;
  let requests = 0;
  let client: HistoricalClient;
  beforeAll(async () => {
    // a bare counting server: proves invalid input never reaches the wire
    server = createServer((_req, res) => {
      requests++;
      res.writeHead(500).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    client = new HistoricalClient({ apiKey: placeholderDatabentoKey('validation'), baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, retry: { maxAttempts: 1 } });
  });
  afterAll(async () => {
    await client.close();
    await new Promise((r) => server.close(r));
  });

  it.each([
    ['metadata.getCost', () => client.metadata.getCost({ ...base, symbols: Array.from({ length: 2001 }, (_, i) => `S${i}`) }), 'symbols'],
    ['metadata.getRecordCount', () => client.metadata.getRecordCount({ ...base, start: '2025-01-02', end: '2025-01-01' }), 'end'],
    ['metadata.listSchemas', () => client.metadata.listSchemas({ dataset: '' }), 'dataset'],
    ['timeseries.getRangeToFile', () => client.timeseries.getRangeToFile({ ...base, schema: 'ohlcv-2h' as 'ohlcv-1h' }, '/tmp/never'), 'schema'],
    ['symbology.resolve', () => client.symbology.resolve({ dataset: 'GLBX.MDP3', symbols: ['NQ.FUT'], stypeIn: 'parent', stypeOut: 'nope' as 'parent', startDate: '2025-01-01' }), 'stypeOut'],
    ['batch.listFiles', () => client.batch.listFiles('../etc/passwd'), '(input)'],
    ['batch.downloadFile', () => client.batch.downloadFile({ filename: '../x', size: 1, hash: 'sha256:' + '0'.repeat(64), urls: { https: 'http://x/y' } }, '/tmp/never'), 'filename'],
  ])('%s throws DATABENTO_INVALID_INPUT naming the field', async (_m, call, field) => {
    const err = await (call as () => Promise<unknown>)().catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'DATABENTO_INVALID_INPUT', retryable: false, field });
    expect(requests).toBe(0);
  });

  it('rejects a missing or malformed key at construction', () => {
    expect(() => new HistoricalClient({ apiKey: '' })).toThrow(/apiKey: is required/);
    expect(() => new HistoricalClient({ apiKey: 'has space' })).toThrow(/apiKey: must be printable/);
    expect(() => new HistoricalClient({ apiKey: 'k', baseUrl: 'ftp://x' })).toThrow(/baseUrl/);
  });
});
