import { existsSync, readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { OhlcvSchema, Schema } from '../domain/databento-enums';
import { parseTimeNs, utcDate } from '../domain/time';
import { decodeDbn, decodeOhlcvColumns } from '../dbn/decode';
import { decodeMetadata } from '../dbn/metadata';
import { concatOhlcvColumns, type OhlcvColumns } from '../dbn/ohlcv-columns';
import type { DbnRecord } from '../dbn/records';
import { zstdDecompress } from '../dbn/zstd';
import {
  readClContinuous,
  readNqOhlcv1h,
  readNqOhlcv1mDays,
  readNqSymbology,
  readZlDaily,
} from '../recordings';
import { deriveContinuousIntervals, type MappingInterval } from './symbology-index';

export const GLBX = 'GLBX.MDP3';

/** Bars of one OHLCV schema for one product, sorted by ts_event in the recording's own order. */
export interface OhlcvSource {
  kind: 'ohlcv';
  schema: OhlcvSchema;
  /** recorded range `[start, end)` in UNIX ns */
  start: bigint;
  end: bigint;
  origin: string;
  /** columns covering at least `[start, end)` of the request, ts_event ascending */
  load(start: bigint, end: bigint): Promise<OhlcvColumns>;
}

/** Non-OHLCV records re-served byte for byte from a DBN v3 sample. */
export interface RawRecords {
  bytes: Uint8Array[];
  records: DbnRecord[];
  /** ts_recv when the schema has it, else ts_event: the field Databento filters the range on */
  indexTs: bigint[];
}

export interface RawSource {
  kind: 'raw';
  schema: Schema;
  start: bigint;
  end: bigint;
  origin: string;
  load(): Promise<RawRecords>;
}

export type DataSource = OhlcvSource | RawSource;

/** A family of symbols that share one symbology and set of recordings. */
export interface Product {
  name: string;
  /** raw symbol → instrument_id intervals */
  raw: Map<string, MappingInterval[]>;
  /** continuous symbol (e.g. `ZL.c.0`) → instrument_id intervals */
  continuous: Map<string, MappingInterval[]>;
  /** parent (e.g. `NQ.FUT`) → its raw symbols */
  parents: Map<string, string[]>;
  /** instrument_id → intervals whose `s` is the raw symbol, or '' when the recording has no raw symbol */
  ids: Map<number, MappingInterval[]>;
  sources: Partial<Record<Schema, DataSource>>;
}

export interface Catalog {
  dataDir: string;
  products: Product[];
  /** `databento-nq/ohlcv-1h/condition.json.gz` content */
  condition(): Promise<{ date: string; condition: string; last_modified_date: string | null }[]>;
}

function memo<T>(f: () => Promise<T>): () => Promise<T> {
  let p: Promise<T> | undefined;
  return () => {
    p ??= f().catch((err: unknown) => {
      p = undefined;
      throw err;
    });
    return p;
  };
}

function addInterval(map: Map<number, MappingInterval[]>, id: number, iv: MappingInterval): void {
  const list = map.get(id);
  if (list) list.push(iv);
  else map.set(id, [iv]);
}

const NS_PER_DAY = 86_400_000_000_000n;

async function nqProduct(dataDir: string): Promise<Product> {
  const symbology = await readNqSymbology(dataDir);
  const raw = new Map<string, MappingInterval[]>();
  const ids = new Map<number, MappingInterval[]>();
  for (const [symbol, intervals] of Object.entries(symbology)) {
    raw.set(symbol, intervals.map((iv) => ({ d0: iv.d0, d1: iv.d1, s: iv.s })));
    for (const iv of intervals) addInterval(ids, Number(iv.s), { d0: iv.d0, d1: iv.d1, s: symbol });
  }
  const oneHour = memo(() => readNqOhlcv1h(dataDir));
  const minuteDir = path.join(dataDir, 'databento-nq', 'ohlcv-1m');
  const minuteDays = new Set(
    readdirSync(minuteDir)
      .map((f) => /^glbx-mdp3-(\d{8})\.ohlcv-1m\.csv\.zst$/.exec(f)?.[1])
      .filter((d): d is string => d !== undefined),
  );
  const minuteCache = new Map<string, Promise<OhlcvColumns>>();
  const minuteDay = (day: string) => {
    let p = minuteCache.get(day);
    if (!p) {
      p = readNqOhlcv1mDays(dataDir, [day]).then((r) => r.columns);
      minuteCache.set(day, p);
    }
    return p;
  };
  return {
    name: 'NQ',
    raw,
    continuous: new Map(),
    parents: new Map([['NQ.FUT', [...raw.keys()]]]),
    ids,
    sources: {
      'ohlcv-1h': {
        kind: 'ohlcv',
        schema: 'ohlcv-1h',
        // the batch query's own range (databento-nq/ohlcv-1h/metadata.json)
        start: parseTimeNs('2010-06-06'),
        end: parseTimeNs('2026-01-01'),
        origin: 'databento-nq/ohlcv-1h/glbx-mdp3-20100606-20251231.ohlcv-1h.csv.zst',
        load: async () => (await oneHour()).columns,
      },
      'ohlcv-1m': {
        kind: 'ohlcv',
        schema: 'ohlcv-1m',
        start: parseTimeNs('2025-10-01'),
        end: parseTimeNs('2026-01-01'),
        origin: 'databento-nq/ohlcv-1m/glbx-mdp3-2025MMDD.ohlcv-1m.csv.zst (79 daily files)',
        load: async (start, end) => {
          const days: string[] = [];
          for (let d = (start / NS_PER_DAY) * NS_PER_DAY; d < end; d += NS_PER_DAY) {
            const key = utcDate(d).replace(/-/g, '');
            if (minuteDays.has(key)) days.push(key); // absent files are genuinely empty days (Saturdays)
          }
          return concatOhlcvColumns(await Promise.all(days.map(minuteDay)));
        },
      },
    },
  };
}

/** A product whose recording is one continuous-symbol series per symbol (ZL.c.0; CL.n.0 + CL.n.1). */
function continuousProduct(
  name: string,
  columns: OhlcvColumns,
  symbolPerRow: string[],
  start: string,
  end: string,
  origin: string,
): Product {
  const rowsBySymbol = new Map<string, { instrumentId: number; date: string }[]>();
  for (let i = 0; i < columns.length; i++) {
    const s = symbolPerRow[i];
    let rows = rowsBySymbol.get(s);
    if (!rows) rowsBySymbol.set(s, (rows = []));
    rows.push({ instrumentId: columns.instrument_id[i], date: utcDate(columns.ts_event[i]) });
  }
  const continuous = new Map<string, MappingInterval[]>();
  const ids = new Map<number, MappingInterval[]>();
  for (const [symbol, rows] of rowsBySymbol) {
    const intervals = deriveContinuousIntervals(rows, start, end);
    continuous.set(symbol, intervals);
    // no raw symbol text exists for these contracts in the recording: s = ''
    for (const iv of intervals) addInterval(ids, Number(iv.s), { d0: iv.d0, d1: iv.d1, s: '' });
  }
  return {
    name,
    raw: new Map(),
    continuous,
    parents: new Map(),
    ids,
    sources: {
      'ohlcv-1d': {
        kind: 'ohlcv',
        schema: 'ohlcv-1d',
        start: parseTimeNs(start),
        end: parseTimeNs(end),
        origin,
        load: async () => columns,
      },
    },
  };
}

const SAMPLE_SCHEMAS: Schema[] = [
  'mbo',
  'mbp-1',
  'mbp-10',
  'tbbo',
  'trades',
  'bbo-1s',
  'bbo-1m',
  'statistics',
  'status',
  'definition',
  'ohlcv-1s',
  'ohlcv-1m',
  'ohlcv-1h',
  'ohlcv-1d',
];

function indexTsOf(rec: DbnRecord): bigint {
  const r = rec as { ts_recv?: bigint };
  return typeof r.ts_recv === 'bigint' ? r.ts_recv : rec.hd.ts_event;
}

/** The databento-python GLBX.MDP3 v3 samples: ESH1 on 2020-12-28 (first records of the day, limit 4 at capture). */
async function samplesProduct(dataDir: string): Promise<Product> {
  const dir = path.join(dataDir, 'databento-samples', 'databento-python', 'GLBX.MDP3');
  const raw = new Map<string, MappingInterval[]>();
  const ids = new Map<number, MappingInterval[]>();
  const sources: Partial<Record<Schema, DataSource>> = {};
  for (const schema of SAMPLE_SCHEMAS) {
    const file = path.join(dir, `test_data.${schema}.dbn.zst`);
    if (!existsSync(file)) continue;
    const bytes = zstdDecompress(await readFile(file));
    const { metadata, recordsOffset } = decodeMetadata(bytes);
    if (metadata.version !== 3 || metadata.dataset !== GLBX || metadata.end === null) continue;
    for (const m of metadata.mappings) {
      const list = raw.get(m.raw_symbol) ?? [];
      for (const iv of m.intervals) {
        if (!list.some((x) => x.d0 === iv.start_date && x.d1 === iv.end_date && x.s === iv.symbol)) {
          list.push({ d0: iv.start_date, d1: iv.end_date, s: iv.symbol });
          addInterval(ids, Number(iv.symbol), { d0: iv.start_date, d1: iv.end_date, s: m.raw_symbol });
        }
      }
      raw.set(m.raw_symbol, list);
    }
    const origin = path.relative(dataDir, file);
    if (schema.startsWith('ohlcv-')) {
      const columns = decodeOhlcvColumns(bytes).columns;
      sources[schema] = { kind: 'ohlcv', schema: schema as OhlcvSchema, start: metadata.start, end: metadata.end, origin, load: async () => columns };
    } else {
      const recordBytes: Uint8Array[] = [];
      for (let at = recordsOffset; at < bytes.length; at += bytes[at] * 4) recordBytes.push(bytes.slice(at, at + bytes[at] * 4));
      const load = memo(async (): Promise<RawRecords> => {
        const records = decodeDbn(bytes).records;
        return { bytes: recordBytes, records, indexTs: records.map(indexTsOf) };
      });
      sources[schema] = { kind: 'raw', schema, start: metadata.start, end: metadata.end, origin, load };
    }
  }
  return { name: 'ES samples', raw, continuous: new Map(), parents: new Map(), ids, sources };
}

/** Builds the catalog of what the recordings under `dataDir` let the gateway serve (see gateway/README.md). */
export async function loadCatalog(dataDir: string): Promise<Catalog> {
  const [nq, zl, cl, samples] = await Promise.all([
    nqProduct(dataDir),
    readZlDaily(dataDir).then((r) =>
      // available range = the recording's filename range; the last bar is 2026-08-10
      continuousProduct('ZL', r.columns, r.symbol, '2010-06-06', '2026-08-12', path.relative(dataDir, r.source)),
    ),
    readClContinuous(dataDir).then((r) =>
      continuousProduct('CL', r.columns, r.symbol, '2024-01-01', '2025-01-01', path.relative(dataDir, r.source)),
    ),
    samplesProduct(dataDir),
  ]);
  const condition = memo(async () => {
    const { gunzipSync } = await import('node:zlib');
    const file = path.join(dataDir, 'databento-nq', 'ohlcv-1h', 'condition.json.gz');
    return JSON.parse(gunzipSync(await readFile(file)).toString('utf8')) as {
      date: string;
      condition: string;
      last_modified_date: string | null;
    }[];
  });
  return { dataDir, products: [nq, zl, cl, samples], condition };
}
