import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { request } from 'undici';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { decodeDbn, decodeOhlcvColumns } from '../../dbn/decode';
import { readNqOhlcv1h, readNqSymbology } from '../../recordings';
import { computeCostUsd, GATEWAY_PRICE_TABLE_USD_PER_GB } from '../../gateway/price-table';
import { startGateway, type Gateway } from '../../gateway/start-gateway';
import { dataFile, marketDataDir } from '../support/market-data-dir';
import { AUTH, getJson, NQ_1H_ALL, postForm } from './gateway-support';
import { placeholderDatabentoKey } from '../../gateway/placeholder-keys';

let gw: Gateway;

beforeAll(async () => {
  gw = await startGateway({ dataDir: marketDataDir() });
});
afterAll(async () => {
  await gw?.close();
});
beforeEach(() => {
  for (const k of Object.keys(gw.faults)) delete (gw.faults as Record<string, unknown>)[k];
});

/** get_range through undici's `request`, so a test can read (or drop) the body piece by piece */
function streamGetRange(params: Record<string, string>) {
  return request(`${gw.url}/v0/timeseries.get_range`, {
    method: 'POST',
    headers: { authorization: AUTH, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(params).toString(),
  });
}

function bytesOf(a: ArrayBufferView): Buffer {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}

function zstdFrameCount(bytes: Uint8Array): number {
  let n = 0;
  for (let i = 0; i + 3 < bytes.length; i++) {
    if (bytes[i] === 0x28 && bytes[i + 1] === 0xb5 && bytes[i + 2] === 0x2f && bytes[i + 3] === 0xfd) n++;
  }
  return n;
}

describe('auth and headers', () => {
  it('answers 401 with Databento detail for a missing or wrong key, with a request-id', async () => {
    const none = await fetch(`${gw.url}/v0/metadata.list_datasets`);
    expect(none.status).toBe(401);
    expect(await none.json()).toEqual({ detail: 'Authorization failed: bad key.' });
    expect(none.headers.get('request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const wrong = await getJson(gw, '/v0/metadata.list_datasets', `Basic ${Buffer.from(`${placeholderDatabentoKey('wrong')}:`).toString('base64')}`);
    expect(wrong.status).toBe(401);
  });

  it('serves metadata with the right key', async () => {
    const r = await getJson(gw, '/v0/metadata.list_datasets');
    expect(r.status).toBe(200);
    expect(r.body).toEqual(['GLBX.MDP3']);
    expect(r.res.headers.get('request-id')).toBeTruthy();
    const range = await getJson(gw, '/v0/metadata.get_dataset_range?dataset=GLBX.MDP3');
    const schema = (range.body as { schema: Record<string, { start: string; end: string }> }).schema;
    expect(schema['ohlcv-1h']).toEqual({ start: '2010-06-06T00:00:00.000000000Z', end: '2026-01-01T00:00:00.000000000Z' });
    expect(schema['ohlcv-1d'].end).toBe('2026-08-12T00:00:00.000000000Z');
  });
});

describe('NQ.FUT ohlcv-1h, the whole recording', () => {
  it('streams DBN zstd in several frames that decode to all 228,911 recorded bars, equal to the recording', async () => {
    const res = await postForm(gw, 'timeseries.get_range', { ...NQ_1H_ALL, encoding: 'dbn', compression: 'zstd' });
    expect(res.status).toBe(200);
    const body = new Uint8Array(await res.arrayBuffer());
    expect(zstdFrameCount(body)).toBeGreaterThanOrEqual(4);
    const { metadata, columns } = decodeOhlcvColumns(body);
    expect(columns.length).toBe(228_911);
    expect(metadata.version).toBe(3);
    expect(metadata.schema).toBe('ohlcv-1h');
    expect(metadata.stype_in).toBe('parent');
    expect(metadata.symbols).toEqual(['NQ.FUT']);
    expect(metadata.mappings.length).toBe(200);
    const rec = await readNqOhlcv1h(marketDataDir());
    for (const name of ['ts_event', 'instrument_id', 'open', 'high', 'low', 'close', 'volume'] as const) {
      expect(bytesOf(columns[name]).equals(bytesOf(rec.columns[name])), name).toBe(true);
    }
  });

  it('quotes count, billable size (records × 56) and cost from the price table', async () => {
    const count = await (await postForm(gw, 'metadata.get_record_count', NQ_1H_ALL)).json();
    expect(count).toBe(228_911);
    const size = await (await postForm(gw, 'metadata.get_billable_size', NQ_1H_ALL)).json();
    expect(size).toBe(228_911 * 56);
    const cost = await (await postForm(gw, 'metadata.get_cost', NQ_1H_ALL)).json();
    expect(cost).toBe(computeCostUsd(228_911 * 56, GATEWAY_PRICE_TABLE_USD_PER_GB['ohlcv-1h']));
    const limited = await (await postForm(gw, 'metadata.get_record_count', { ...NQ_1H_ALL, limit: '1000' })).json();
    expect(limited).toBe(1000);
  });
});

describe('errors and partial resolution', () => {
  it('422 data_start_before_available_start for a range before the recordings', async () => {
    const res = await postForm(gw, 'timeseries.get_range', { ...NQ_1H_ALL, start: '2009-01-01' });
    expect(res.status).toBe(422);
    const body = (await res.json()) as { detail: { case: string; status_code: number; docs: string } };
    expect(body.detail.case).toBe('data_start_before_available_start');
    expect(body.detail.status_code).toBe(422);
  });

  it('422 data_start_after_available_end and for an end before start', async () => {
    const after = await postForm(gw, 'timeseries.get_range', { ...NQ_1H_ALL, start: '2026-02-01', end: '2026-03-01' });
    expect(((await after.json()) as { detail: { case: string } }).detail.case).toBe('data_start_after_available_end');
    const backwards = await postForm(gw, 'timeseries.get_range', { ...NQ_1H_ALL, start: '2020-02-01', end: '2020-01-01' });
    expect(backwards.status).toBe(422);
  });

  it('422 for an unknown schema and another dataset', async () => {
    const schema = await postForm(gw, 'timeseries.get_range', { ...NQ_1H_ALL, schema: 'ohlcv-2h' });
    expect(schema.status).toBe(422);
    const dataset = await postForm(gw, 'timeseries.get_range', { ...NQ_1H_ALL, dataset: 'XNAS.ITCH' });
    expect(dataset.status).toBe(422);
  });

  it('206 with the data, not_found in metadata and an X-Warning for a mix of known and unknown symbols', async () => {
    const form = { ...NQ_1H_ALL, symbols: 'NQZ5,NQX9', stype_in: 'raw_symbol', start: '2025-12-01', end: '2025-12-02', encoding: 'dbn', compression: 'none' };
    const res = await postForm(gw, 'timeseries.get_range', form);
    expect(res.status).toBe(206);
    const warning = JSON.parse(res.headers.get('x-warning')!) as string[];
    expect(warning[0]).toMatch(/^SymbologyWarning: .*NQX9/);
    const { metadata, records } = decodeDbn(new Uint8Array(await res.arrayBuffer()));
    expect(metadata.not_found).toEqual(['NQX9']);
    const nqz5 = (await readNqSymbology(marketDataDir()))['NQZ5'].find((iv) => iv.d0 <= '2025-12-01' && iv.d1 > '2025-12-01')!.s;
    expect(metadata.mappings).toEqual([{ raw_symbol: 'NQZ5', intervals: [{ start_date: '2025-12-01', end_date: '2025-12-02', symbol: nqz5 }] }]);
    expect(records.length).toBeGreaterThan(0);
    expect(new Set(records.map((r) => r.hd.instrument_id))).toEqual(new Set([Number(nqz5)]));
  });

  it('422 symbology_invalid_request when no symbol resolves', async () => {
    const res = await postForm(gw, 'timeseries.get_range', { ...NQ_1H_ALL, symbols: 'NQX9', stype_in: 'raw_symbol', start: '2025-12-01', end: '2025-12-02' });
    expect(res.status).toBe(422);
    expect(((await res.json()) as { detail: { case: string } }).detail.case).toBe('symbology_invalid_request');
  });

  it('resolves a recurring raw symbol by date: NQH2 is a different instrument in 2011 and 2021', async () => {
    const a = decodeDbn(new Uint8Array(await (await postForm(gw, 'timeseries.get_range', { ...NQ_1H_ALL, symbols: 'NQH2', stype_in: 'raw_symbol', start: '2011-12-05', end: '2011-12-10', encoding: 'dbn' })).arrayBuffer()));
    const b = decodeDbn(new Uint8Array(await (await postForm(gw, 'timeseries.get_range', { ...NQ_1H_ALL, symbols: 'NQH2', stype_in: 'raw_symbol', start: '2021-12-06', end: '2021-12-11', encoding: 'dbn' })).arrayBuffer()));
    const idsA = new Set(a.records.map((r) => r.hd.instrument_id));
    const idsB = new Set(b.records.map((r) => r.hd.instrument_id));
    expect(idsA.size).toBe(1);
    expect(idsB.size).toBe(1);
    expect([...idsA][0]).not.toBe([...idsB][0]);
  });
});

describe('symbology.resolve', () => {
  it('NQ.FUT parent over the recorded range equals the recorded symbology.json result', async () => {
    const res = await postForm(gw, 'symbology.resolve', {
      dataset: 'GLBX.MDP3',
      symbols: 'NQ.FUT',
      stype_in: 'parent',
      stype_out: 'instrument_id',
      start_date: '2010-06-06',
      end_date: '2026-01-01',
    });
    const body = (await res.json()) as { result: Record<string, unknown[]>; partial: string[]; not_found: string[]; status: number };
    const recorded = await readNqSymbology(marketDataDir());
    expect(body.result).toEqual(recorded);
    expect(new Set(body.partial)).toEqual(new Set(Object.keys(recorded)));
    expect(body.not_found).toEqual([]);
    expect(body.status).toBe(1);
  });

  it('ZL instrument ids have no raw symbol in the recording: not_found for instrument_id -> raw_symbol', async () => {
    const cont = (await (await postForm(gw, 'symbology.resolve', { dataset: 'GLBX.MDP3', symbols: 'ZL.c.0', stype_in: 'continuous', stype_out: 'instrument_id', start_date: '2025-06-01', end_date: '2025-07-01' })).json()) as {
      result: Record<string, { s: string }[]>;
    };
    const id = cont.result['ZL.c.0'][0].s;
    const back = (await (await postForm(gw, 'symbology.resolve', { dataset: 'GLBX.MDP3', symbols: id, stype_in: 'instrument_id', stype_out: 'raw_symbol', start_date: '2025-06-01', end_date: '2025-07-01' })).json()) as {
      not_found: string[];
    };
    expect(back.not_found).toEqual([id]);
  });
});

describe('faults', () => {
  it('rateLimit: the next N requests get 429 with Retry-After, then service resumes', async () => {
    gw.faults.rateLimit = { count: 2, retryAfterSeconds: 7 };
    for (let i = 0; i < 2; i++) {
      const r = await getJson(gw, '/v0/metadata.list_datasets');
      expect(r.status).toBe(429);
      expect(r.res.headers.get('retry-after')).toBe('7');
    }
    expect((await getJson(gw, '/v0/metadata.list_datasets')).status).toBe(200);
  });

  it('serverError via the HTTP control endpoint, limited to onlyPaths; DELETE clears it', async () => {
    const set = await fetch(`${gw.url}/_gateway/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ serverError: { count: 5, status: 503 }, onlyPaths: ['/v0/metadata.get_cost'] }),
    });
    expect(set.status).toBe(200);
    expect((await getJson(gw, '/v0/metadata.list_datasets')).status).toBe(200);
    expect((await postForm(gw, 'metadata.get_cost', NQ_1H_ALL)).status).toBe(503);
    await fetch(`${gw.url}/_gateway/faults`, { method: 'DELETE' });
    expect((await postForm(gw, 'metadata.get_cost', NQ_1H_ALL)).status).toBe(200);
    const bad = await fetch(`${gw.url}/_gateway/faults`, { method: 'POST', body: JSON.stringify({ rateLimit: { count: -1 } }) });
    expect(bad.status).toBe(400);
  });

  it('resetAfterBytes: the get_range socket dies after exactly N body bytes, once', async () => {
    gw.stats.reset();
    gw.faults.resetAfterBytes = { bytes: 100_000 };
    const res = await streamGetRange({ ...NQ_1H_ALL, encoding: 'dbn', compression: 'none' });
    expect(res.statusCode).toBe(200);
    let received = 0;
    await expect(
      (async () => {
        for await (const chunk of res.body) received += (chunk as Buffer).length;
      })(),
    ).rejects.toThrow();
    expect(received).toBe(100_000);
    expect(gw.stats.getRange).toMatchObject({ requests: 1, aborted: 1 });
    const again = await postForm(gw, 'metadata.get_record_count', NQ_1H_ALL);
    expect(again.status).toBe(200);
    expect(gw.faults.resetAfterBytes).toBeUndefined();
  });

  it('slowBody: the body trickles at about the set rate', async () => {
    gw.faults.slowBody = { bytesPerSecond: 2000 };
    const t0 = Date.now();
    const res = await streamGetRange({ ...NQ_1H_ALL, start: '2025-12-01', end: '2025-12-02', limit: '60', encoding: 'dbn', compression: 'none' });
    let chunks = 0;
    let bytes = 0;
    for await (const c of res.body) {
      chunks++;
      bytes += (c as Buffer).length;
    }
    const elapsed = Date.now() - t0;
    delete gw.faults.slowBody;
    expect(bytes).toBeGreaterThan(3000); // metadata + 60 × 56-byte bars
    expect(chunks).toBeGreaterThan(10); // 200-byte pieces every 100 ms
    expect(elapsed).toBeGreaterThanOrEqual(((bytes / 2000) * 1000) * 0.8); // a lower bound only
  });

  it('a client that goes away mid-body is counted as an aborted get_range, not a served one', async () => {
    gw.stats.reset();
    gw.faults.slowBody = { bytesPerSecond: 2000 };
    const res = await streamGetRange({ ...NQ_1H_ALL, start: '2025-12-01', end: '2025-12-02', limit: '60', encoding: 'dbn', compression: 'none' });
    for await (const _ of res.body) break; // the first piece, then hang up
    for (let i = 0; i < 50 && gw.stats.getRange.aborted === 0; i++) await new Promise((r) => setTimeout(r, 100));
    delete gw.faults.slowBody;
    expect(gw.stats.getRange).toMatchObject({ requests: 1, aborted: 1 });
  });
});

describe('batch jobs', () => {
  it('submits a job, lists its files with sha256, and resumes a download with Range', async () => {
    const submit = await postForm(gw, 'batch.submit_job', {
      ...NQ_1H_ALL,
      start: '2025-10-01',
      end: '2026-01-01',
      encoding: 'dbn',
      compression: 'zstd',
      split_duration: 'month',
    });
    expect(submit.status).toBe(200);
    const job = (await submit.json()) as { id: string; state: string; record_count: number };
    expect(job.state).toBe('done');
    expect(job.id).toMatch(/^GLBX-\d{8}-[A-Z0-9]{10}$/);
    const details = await getJson(gw, `/v0/batch.get_job_details?job_id=${job.id}`);
    expect((details.body as { id: string }).id).toBe(job.id);
    const jobs = (await getJson(gw, '/v0/batch.list_jobs')).body as { id: string }[];
    expect(jobs.map((j) => j.id)).toContain(job.id);
    const files = (await getJson(gw, `/v0/batch.list_files?job_id=${job.id}`)).body as {
      filename: string;
      size: number;
      hash: string;
      urls: { https: string };
    }[];
    const dataFiles = files.filter((f) => f.filename.endsWith('.dbn.zst'));
    expect(dataFiles.map((f) => f.filename)).toEqual([
      'glbx-mdp3-20251001-20251031.ohlcv-1h.dbn.zst',
      'glbx-mdp3-20251101-20251130.ohlcv-1h.dbn.zst',
      'glbx-mdp3-20251201-20251231.ohlcv-1h.dbn.zst',
    ]);
    let total = 0;
    for (const f of dataFiles) total += decodeOhlcvColumns(new Uint8Array(await (await fetch(f.urls.https, { headers: { authorization: AUTH } })).arrayBuffer())).columns.length;
    expect(total).toBe(job.record_count);

    const f = dataFiles[0];
    const full = Buffer.from(await (await fetch(f.urls.https, { headers: { authorization: AUTH } })).arrayBuffer());
    expect(`sha256:${createHash('sha256').update(full).digest('hex')}`).toBe(f.hash);
    // first attempt cut by a reset fault, then resume from what arrived
    gw.faults.resetAfterBytes = { bytes: 1000 };
    const first = await request(f.urls.https, { headers: { authorization: AUTH } });
    const got: Buffer[] = [];
    await expect(
      (async () => {
        for await (const c of first.body) got.push(c as Buffer);
      })(),
    ).rejects.toThrow();
    const head = Buffer.concat(got);
    expect(head.length).toBe(1000);
    const rest = await fetch(f.urls.https, { headers: { authorization: AUTH, range: `bytes=${head.length}-` } });
    expect(rest.status).toBe(206);
    expect(rest.headers.get('content-range')).toBe(`bytes 1000-${f.size - 1}/${f.size}`);
    const resumed = Buffer.concat([head, Buffer.from(await rest.arrayBuffer())]);
    expect(resumed.equals(full)).toBe(true);
  });

  it('requires the key for downloads', async () => {
    const r = await fetch(`${gw.url}/v0/batch/download/GATEWAY1/GLBX-20990101-AAAAAAAAAA/x.dbn`);
    expect(r.status).toBe(401);
  });
});

describe('dataset condition', () => {
  it('serves the recorded condition.json.gz for dates it covers', async () => {
    const recorded = JSON.parse(gunzipSync(await readFile(dataFile('databento-nq', 'ohlcv-1h', 'condition.json.gz'))).toString('utf8')) as {
      date: string;
    }[];
    const r = (await getJson(gw, '/v0/metadata.get_dataset_condition?dataset=GLBX.MDP3&start_date=2020-03-01&end_date=2020-03-31')).body as { date: string }[];
    expect(r).toEqual(recorded.filter((c) => c.date >= '2020-03-01' && c.date <= '2020-03-31'));
    const later = (await getJson(gw, '/v0/metadata.get_dataset_condition?dataset=GLBX.MDP3&start_date=2026-08-09&end_date=2026-08-11')).body as {
      date: string;
      condition: string;
    }[];
    // past the condition file (ends 2025-12-31): derived from recorded bars; ZL has a bar on 2026-08-10
    expect(later.map((c) => c.date)).toEqual(['2026-08-09', '2026-08-10', '2026-08-11']);
    expect(later[1].condition).toBe('available');
  });
});

describe('stats', () => {
  it('counts get_range requests, bytes and records; reset() zeroes them', async () => {
    gw.stats.reset();
    const res = await postForm(gw, 'timeseries.get_range', { ...NQ_1H_ALL, start: '2025-12-01', end: '2025-12-02', encoding: 'dbn', compression: 'none' });
    const body = new Uint8Array(await res.arrayBuffer());
    const n = decodeDbn(body).records.length;
    expect(gw.stats.getRange).toEqual({ requests: 1, bytes: body.length, records: n, aborted: 0 });
    expect(gw.stats.byEndpoint['timeseries.get_range']).toBe(1);
    const viaHttp = (await getJson(gw, '/_gateway/stats')).body as { getRange: { requests: number } };
    expect(viaHttp.getRange.requests).toBe(1);
    gw.stats.reset();
    expect(gw.stats.getRange.requests).toBe(0);
  });
});

describe('CL continuous', () => {
  it('CL.n.0 and CL.n.1 ohlcv-1d 2024: all 626 recorded bars, mapped to their input symbols', async () => {
    const form = { dataset: 'GLBX.MDP3', symbols: 'CL.n.0,CL.n.1', stype_in: 'continuous', schema: 'ohlcv-1d', start: '2024-01-01', end: '2025-01-01' };
    expect(await (await postForm(gw, 'metadata.get_record_count', form)).json()).toBe(626);
    const { metadata, records } = decodeDbn(new Uint8Array(await (await postForm(gw, 'timeseries.get_range', { ...form, encoding: 'dbn' })).arrayBuffer()));
    expect(records.length).toBe(626);
    expect(metadata.mappings.map((m) => m.raw_symbol).sort()).toEqual(['CL.n.0', 'CL.n.1']);
    const only0 = await (await postForm(gw, 'metadata.get_record_count', { ...form, symbols: 'CL.n.0' })).json();
    expect(only0).toBe(313);
  });
});

describe('FRED routing', () => {
  it('routes /fred/* to the FRED router with the FRED key', async () => {
    const { GATEWAY_FRED_TEST_KEY } = await import('../../gateway/start-gateway');
    gw.stats.reset();
    const ok = await fetch(`${gw.url}/fred/series/observations?series_id=DGS10&api_key=${GATEWAY_FRED_TEST_KEY}&file_type=json&observation_start=2020-01-02&observation_end=2020-01-03`);
    expect(ok.status).toBe(200);
    const body = (await ok.json()) as { observations: { date: string; value: string }[] };
    expect(body.observations.length).toBeGreaterThan(0);
    expect(gw.stats.byEndpoint.fred).toBe(1);
    const bad = await fetch(`${gw.url}/fred/series/observations?series_id=DGS10&api_key=wrongkey00000000000000000000000&file_type=json`);
    expect(bad.status).toBeGreaterThanOrEqual(400);
  });
});
