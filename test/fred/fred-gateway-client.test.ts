import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FredClient } from '../../fred/fred-client';
import { FredError } from '../../fred/fred-error';
import { DEFAULT_FRED_SERIES } from '../../fred/ingest-fred';
import { readFredRecording } from '../../fred/read-fred-recording';
import { FRED_ERRORS, handleFredRequest } from '../../gateway/fred/fred-router';
import { startGateway } from '../../gateway/start-gateway';
import { marketDataDir } from '../support/market-data-dir';
import { placeholderFredKey } from '../../gateway/placeholder-keys';

// a 32-character lower-case key, the shape FRED issues; not a real key
const KEY = placeholderFredKey('fred-client');

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('FRED API route over the recordings, through the undici client', () => {
  let server: Server;
  let baseUrl: string;

  beforeAll(async () => {
    const dataDir = marketDataDir();
    server = createServer((req, res) => {
      void handleFredRequest(req, res, { dataDir, apiKey: KEY }).then((handled) => {
        if (!handled) res.writeHead(404).end();
      });
    });
    baseUrl = await listen(server);
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it.each([...DEFAULT_FRED_SERIES])('%s round-trips: every observation equals the recording (paged by 2,500)', async (id) => {
    const client = new FredClient({ baseUrl, apiKey: KEY, pageLimit: 2_500 });
    const got = await client.getObservations(id);
    const rec = await readFredRecording(marketDataDir(), id);
    expect(got.length).toBe(rec.observations.length);
    expect(got.map((o) => ({ date: o.date, value: o.value }))).toEqual(rec.observations);
    // the vintage is the recordings' collection date (PROVENANCE.md), not the wall clock
    expect(new Set(got.map((o) => o.realtime_start))).toEqual(new Set(['2026-11-21']));
  });

  it('speaks FRED JSON: envelope fields, "." for missing, observation range, desc order, limit/offset', async () => {
    const url = `${baseUrl}/fred/series/observations?series_id=DGS10&api_key=${KEY}&file_type=json&observation_start=1980-01-01&observation_end=1980-01-10&limit=3&offset=0`;
    const body = (await (await fetch(url)).json()) as Record<string, unknown> & { observations: { date: string; value: string }[] };
    expect(body).toMatchObject({
      observation_start: '1980-01-01', observation_end: '1980-01-10', units: 'lin', output_type: 1, file_type: 'json',
      order_by: 'observation_date', sort_order: 'asc', offset: 0, limit: 3,
    });
    const rec = (await readFredRecording(marketDataDir(), 'DGS10')).observations.filter((o) => o.date <= '1980-01-10');
    expect(body.count).toBe(rec.length);
    expect(body.observations).toHaveLength(3);
    expect(body.observations.map((o) => ({ date: o.date, value: o.value }))).toEqual(rec.slice(0, 3).map((o) => ({ date: o.date, value: o.value ?? '.' })));
    expect(body.observations[0].value).toBe('.'); // 1980-01-01 is recorded empty
    const desc = (await (await fetch(url.replace('limit=3', 'limit=1') + '&sort_order=desc')).json()) as { observations: { date: string }[] };
    expect(desc.observations[0].date).toBe('1980-01-10');
  });

  it('serves series metadata with the id as title and the frequency inferred from the dates', async () => {
    const client = new FredClient({ baseUrl, apiKey: KEY });
    expect(await client.getSeries('NFCI')).toMatchObject({ id: 'NFCI', title: 'NFCI', frequency: 'Weekly, Ending Friday', frequency_short: 'W', observation_start: '1990-01-05' });
    expect(await client.getSeries('DGS10')).toMatchObject({ frequency: 'Daily', frequency_short: 'D' });
  });

  it('a bad key gets FRED\'s error text and a non-retryable FredError that never shows the key', async () => {
    const wrongKey = placeholderFredKey('fred-wrong');
    const client = new FredClient({ baseUrl, apiKey: wrongKey });
    const err = await client.getObservations('DGS10').then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(FredError);
    const fe = err as FredError;
    expect(fe.code).toBe('FRED_BAD_KEY');
    expect(fe.retryable).toBe(false);
    expect(fe.context.status).toBe(400);
    expect(fe.context.fredMessage).toBe(FRED_ERRORS.keyNotRegistered);
    expect(fe.message).toContain('Bad Request.  The value for variable api_key is not registered.');
    for (const text of [fe.message, JSON.stringify(fe), inspect(fe), JSON.stringify(client), inspect(client)]) expect(text).not.toContain(wrongKey);
    const raw = await fetch(`${baseUrl}/fred/series/observations?series_id=DGS10&file_type=json`);
    expect(raw.status).toBe(400);
    expect(await raw.json()).toEqual({ error_code: 400, error_message: FRED_ERRORS.keyMissing });
  });

  it('an unknown series is a non-retryable FRED_UNKNOWN_SERIES with FRED\'s text', async () => {
    const client = new FredClient({ baseUrl, apiKey: KEY });
    const err = (await client.getObservations('NOSUCHSERIES').catch((e: unknown) => e)) as FredError;
    expect(err.code).toBe('FRED_UNKNOWN_SERIES');
    expect(err.retryable).toBe(false);
    expect(err.context.fredMessage).toBe('Bad Request.  The series does not exist.');
  });
});

describe('FRED through the full local gateway (startGateway) with injected faults', () => {
  it('429 → retryable FRED_RATE_LIMITED with Retry-After, 503 → retryable FRED_SERVER_ERROR, then the retry succeeds', async () => {
    const gateway = await startGateway({ dataDir: marketDataDir(), port: 0, fredApiKey: KEY });
    try {
      const client = new FredClient({ baseUrl: gateway.url, apiKey: KEY });
      gateway.faults.rateLimit = { count: 1, retryAfterSeconds: 7 };
      const limited = (await client.getObservations('DGS2').catch((e: unknown) => e)) as FredError;
      expect([limited.code, limited.retryable, limited.context.status, limited.context.retryAfterMs]).toEqual(['FRED_RATE_LIMITED', true, 429, 7000]);
      gateway.faults.serverError = { count: 1, status: 503 };
      const down = (await client.getObservations('DGS2').catch((e: unknown) => e)) as FredError;
      expect([down.code, down.retryable, down.context.status]).toEqual(['FRED_SERVER_ERROR', true, 503]);
      const rec = await readFredRecording(marketDataDir(), 'DGS2');
      expect((await client.getObservations('DGS2')).map((o) => ({ date: o.date, value: o.value }))).toEqual(rec.observations);
    } finally {
      await gateway.close();
    }
  });
});
