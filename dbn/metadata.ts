import { SCHEMA_IDS, STYPE_IDS, type Schema, type SType } from '../domain/databento-enums';
import { UNDEF_TIMESTAMP } from './price';
import { DbnDecodeError } from './dbn-decode-error';

/** One input symbol's resolution intervals; dates are UTC `YYYY-MM-DD`, `[start_date, end_date)`. */
export interface SymbolMapping {
  raw_symbol: string;
  intervals: { start_date: string; end_date: string; symbol: string }[];
}

/** DBN metadata header (all versions decoded into this shape). */
export interface Metadata {
  version: 1 | 2 | 3;
  dataset: string;
  schema: Schema | null;
  start: bigint;
  end: bigint | null;
  limit: bigint;
  stype_in: SType | null;
  stype_out: SType;
  ts_out: boolean;
  symbol_cstr_len: number;
  symbols: string[];
  partial: string[];
  not_found: string[];
  mappings: SymbolMapping[];
}

/** What an encoder needs; omitted fields take DBN v3 defaults. */
export type MetadataInput = Pick<Metadata, 'dataset' | 'schema' | 'start'> &
  Partial<Omit<Metadata, 'dataset' | 'schema' | 'start'>>;

export const DBN_MAGIC = [0x44, 0x42, 0x4e] as const; // "DBN"
export const DBN_VERSION = 3;
const SYMBOL_CSTR_LEN_V1 = 22;
const SYMBOL_CSTR_LEN_V2 = 71;
const METADATA_FIXED_LEN = 100; // after the 8-byte prefix, same in every version
const U64_MAX = UNDEF_TIMESTAMP;
const SCHEMA_BY_ID = new Map<number, Schema>(Object.entries(SCHEMA_IDS).map(([k, v]) => [v, k as Schema]));
const STYPE_BY_ID = new Map<number, SType>(Object.entries(STYPE_IDS).map(([k, v]) => [v, k as SType]));

const latin1 = new TextDecoder('latin1');

function cstr(bytes: Uint8Array, at: number, len: number): string {
  let end = at;
  const stop = at + len;
  while (end < stop && bytes[end] !== 0) end++;
  return latin1.decode(bytes.subarray(at, end));
}

function dateFromU32(v: number): string {
  const y = Math.floor(v / 10000);
  const m = Math.floor(v / 100) % 100;
  const d = v % 100;
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

function dateToU32(date: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) throw new RangeError(`mapping date must be YYYY-MM-DD: ${date}`);
  return Number(m[1]) * 10000 + Number(m[2]) * 100 + Number(m[3]);
}

/** True when `bytes` starts with the DBN magic (uncompressed). */
export function isDbn(bytes: Uint8Array): boolean {
  return bytes.length >= 3 && bytes[0] === DBN_MAGIC[0] && bytes[1] === DBN_MAGIC[1] && bytes[2] === DBN_MAGIC[2];
}

/**
 * Decodes the metadata header at the start of an uncompressed DBN stream.
 * Returns `null` when more bytes are needed (streaming); throws DbnDecodeError when malformed.
 */
export function tryDecodeMetadata(bytes: Uint8Array): { metadata: Metadata; recordsOffset: number } | null {
  if (bytes.length < 8) {
    if (bytes.length > 0 && !isDbnPrefix(bytes)) throw badMagic(bytes);
    return null;
  }
  if (!isDbn(bytes)) throw badMagic(bytes);
  const version = bytes[3];
  if (version < 1 || version > 3) {
    throw new DbnDecodeError('DBN_UNSUPPORTED_VERSION', `unsupported DBN version ${version} at byte 3`, 3, 0);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const length = view.getUint32(4, true);
  const end = 8 + length;
  if (bytes.length < end) return null;
  if (length < METADATA_FIXED_LEN + 4) {
    throw new DbnDecodeError('DBN_BAD_METADATA', `metadata length ${length} is shorter than the fixed part`, 4, 0);
  }
  const dataset = cstr(bytes, 8, 16);
  const schemaId = view.getUint16(24, true);
  const start = view.getBigUint64(26, true);
  const endNs = view.getBigUint64(34, true);
  const limit = view.getBigUint64(42, true);
  let at = 50;
  if (version === 1) at += 8; // record_count (unused)
  const stypeIn = bytes[at];
  const stypeOut = bytes[at + 1];
  const tsOut = bytes[at + 2] !== 0;
  const symbolCstrLen = version === 1 ? SYMBOL_CSTR_LEN_V1 : view.getUint16(at + 3, true);
  at = 8 + METADATA_FIXED_LEN;
  const schemaDefLen = view.getUint32(at, true);
  at += 4 + schemaDefLen;

  const fail = (what: string): never => {
    throw new DbnDecodeError('DBN_BAD_METADATA', `metadata ${what} runs past the metadata length (${length})`, at, 0);
  };
  const u32 = (): number => {
    if (at + 4 > end) fail('count');
    const v = view.getUint32(at, true);
    at += 4;
    return v;
  };
  const sym = (): string => {
    if (at + symbolCstrLen > end) fail('symbol');
    const s = cstr(bytes, at, symbolCstrLen);
    at += symbolCstrLen;
    return s;
  };
  const list = (): string[] => {
    const n = u32();
    const out: string[] = [];
    for (let i = 0; i < n; i++) out.push(sym());
    return out;
  };
  const symbols = list();
  const partial = list();
  const not_found = list();
  const mappings: SymbolMapping[] = [];
  const nMappings = u32();
  for (let i = 0; i < nMappings; i++) {
    const raw_symbol = sym();
    const nIntervals = u32();
    const intervals: SymbolMapping['intervals'] = [];
    for (let k = 0; k < nIntervals; k++) {
      const s = u32();
      const e = u32();
      intervals.push({ start_date: dateFromU32(s), end_date: dateFromU32(e), symbol: sym() });
    }
    mappings.push({ raw_symbol, intervals });
  }
  const stypeOutName = STYPE_BY_ID.get(stypeOut);
  if (stypeOutName === undefined) {
    throw new DbnDecodeError('DBN_BAD_METADATA', `unknown stype_out ${stypeOut}`, 8, 0);
  }
  const metadata: Metadata = {
    version: version as 1 | 2 | 3,
    dataset,
    schema: schemaId === 0xffff ? null : (SCHEMA_BY_ID.get(schemaId) ?? null),
    start,
    end: endNs === U64_MAX ? null : endNs,
    limit,
    stype_in: stypeIn === 0xff ? null : (STYPE_BY_ID.get(stypeIn) ?? null),
    stype_out: stypeOutName,
    ts_out: tsOut,
    symbol_cstr_len: symbolCstrLen,
    symbols,
    partial,
    not_found,
    mappings,
  };
  return { metadata, recordsOffset: end };
}

function isDbnPrefix(bytes: Uint8Array): boolean {
  for (let i = 0; i < Math.min(3, bytes.length); i++) if (bytes[i] !== DBN_MAGIC[i]) return false;
  return true;
}

function badMagic(bytes: Uint8Array): DbnDecodeError {
  const head = Buffer.from(bytes.subarray(0, 4)).toString('hex');
  return new DbnDecodeError('DBN_BAD_MAGIC', `not DBN: expected magic "DBN" at byte 0, found 0x${head}`, 0, 0);
}

/** Bytes the metadata header at the start of `bytes` spans, prefix included (8 until its length field is in). */
export function metadataBytesNeeded(bytes: Uint8Array): number {
  if (bytes.length < 8) return 8;
  return 8 + new DataView(bytes.buffer, bytes.byteOffset, 8).getUint32(4, true);
}

/** DBN input that ends after `have` bytes, inside a metadata header of `need` bytes (prefix included). */
export function truncatedMetadataError(have: number, need: number): DbnDecodeError {
  if (need <= 8) return DbnDecodeError.truncated(have, 0, 'metadata');
  return new DbnDecodeError(
    'DBN_TRUNCATED',
    `truncated metadata: the metadata header declares ${need - 8} bytes but the input ends after ${have - 8} of them; ` +
      'the file is incomplete: re-download it',
    have,
    0,
  );
}

/** Decodes the metadata of a complete (uncompressed) DBN buffer. */
export function decodeMetadata(bytes: Uint8Array): { metadata: Metadata; recordsOffset: number } {
  const r = tryDecodeMetadata(bytes);
  if (!r) throw truncatedMetadataError(bytes.length, metadataBytesNeeded(bytes));
  return r;
}

/** Fills MetadataInput defaults (v3, limit 0, stype_out instrument_id, no ts_out). */
export function completeMetadata(m: MetadataInput): Metadata {
  return {
    version: m.version ?? DBN_VERSION,
    dataset: m.dataset,
    schema: m.schema,
    start: m.start,
    end: m.end ?? null,
    limit: m.limit ?? 0n,
    stype_in: m.stype_in === undefined ? 'raw_symbol' : m.stype_in,
    stype_out: m.stype_out ?? 'instrument_id',
    ts_out: m.ts_out ?? false,
    symbol_cstr_len: m.symbol_cstr_len ?? (m.version === 1 ? SYMBOL_CSTR_LEN_V1 : SYMBOL_CSTR_LEN_V2),
    symbols: m.symbols ?? [],
    partial: m.partial ?? [],
    not_found: m.not_found ?? [],
    mappings: m.mappings ?? [],
  };
}

/**
 * Encodes metadata as DBN (v3 by default; v2 supported for tests). v3 pads to a multiple of 8 bytes
 * so the records after it are 8-aligned.
 */
export function encodeMetadata(input: MetadataInput, version: 2 | 3 = 3): Uint8Array {
  const m = completeMetadata(input);
  const cl = SYMBOL_CSTR_LEN_V2;
  const strListLen = (l: string[]) => 4 + l.length * cl;
  let varLen = 4 + strListLen(m.symbols) + strListLen(m.partial) + strListLen(m.not_found) + 4;
  for (const mp of m.mappings) varLen += cl + 4 + mp.intervals.length * (8 + cl);
  let length = METADATA_FIXED_LEN + varLen;
  if (version === 3) length = Math.ceil((8 + length) / 8) * 8 - 8;
  const out = new Uint8Array(8 + length);
  const view = new DataView(out.buffer);
  out.set(DBN_MAGIC, 0);
  out[3] = version;
  view.setUint32(4, length, true);
  const enc = new TextEncoder();
  const putStr = (s: string, at: number, len: number) => {
    const b = enc.encode(s);
    if (b.length >= len) throw new RangeError(`symbol too long for ${len}-byte C string: ${s}`);
    out.set(b, at);
  };
  putStr(m.dataset, 8, 16);
  view.setUint16(24, m.schema === null ? 0xffff : SCHEMA_IDS[m.schema], true);
  view.setBigUint64(26, m.start, true);
  view.setBigUint64(34, m.end ?? U64_MAX, true);
  view.setBigUint64(42, m.limit, true);
  out[50] = m.stype_in === null ? 0xff : STYPE_IDS[m.stype_in];
  out[51] = STYPE_IDS[m.stype_out];
  out[52] = m.ts_out ? 1 : 0;
  view.setUint16(53, cl, true);
  let at = 8 + METADATA_FIXED_LEN;
  view.setUint32(at, 0, true); // schema_definition_length
  at += 4;
  const putList = (l: string[]) => {
    view.setUint32(at, l.length, true);
    at += 4;
    for (const s of l) {
      putStr(s, at, cl);
      at += cl;
    }
  };
  putList(m.symbols);
  putList(m.partial);
  putList(m.not_found);
  view.setUint32(at, m.mappings.length, true);
  at += 4;
  for (const mp of m.mappings) {
    putStr(mp.raw_symbol, at, cl);
    at += cl;
    view.setUint32(at, mp.intervals.length, true);
    at += 4;
    for (const iv of mp.intervals) {
      view.setUint32(at, dateToU32(iv.start_date), true);
      view.setUint32(at + 4, dateToU32(iv.end_date), true);
      putStr(iv.symbol, at + 8, cl);
      at += 8 + cl;
    }
  }
  return out;
}
