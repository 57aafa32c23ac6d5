import { layoutFor, type FieldDef, type RecordLayout } from './record-layouts';
import type { DbnRecord, RecordHeader } from './records';
import { UNDEF_PRICE } from './price';

const latin1 = new TextDecoder('latin1');

function readField(bytes: Uint8Array, dv: DataView, off: number, f: FieldDef): number | bigint | string {
  const at = off + f[2];
  switch (f[1]) {
    case 'u8':
      return bytes[at];
    case 'i8':
      return dv.getInt8(at);
    case 'u16':
      return dv.getUint16(at, true);
    case 'i16':
      return dv.getInt16(at, true);
    case 'u32':
      return dv.getUint32(at, true);
    case 'i32':
      return dv.getInt32(at, true);
    case 'u64':
      return dv.getBigUint64(at, true);
    case 'i64':
      return dv.getBigInt64(at, true);
    case 'c':
      return bytes[at] === 0 ? '' : String.fromCharCode(bytes[at]);
    default: {
      const len = Number(f[1].slice(1));
      let end = at;
      while (end < at + len && bytes[end] !== 0) end++;
      return latin1.decode(bytes.subarray(at, end));
    }
  }
}

function writeField(bytes: Uint8Array, dv: DataView, off: number, f: FieldDef, value: unknown): void {
  const at = off + f[2];
  switch (f[1]) {
    case 'u8':
      bytes[at] = Number(value ?? 0);
      return;
    case 'i8':
      dv.setInt8(at, Number(value ?? 0));
      return;
    case 'u16':
      dv.setUint16(at, Number(value ?? 0), true);
      return;
    case 'i16':
      dv.setInt16(at, Number(value ?? 0), true);
      return;
    case 'u32':
      dv.setUint32(at, Number(value ?? 0), true);
      return;
    case 'i32':
      dv.setInt32(at, Number(value ?? 0), true);
      return;
    case 'u64':
      dv.setBigUint64(at, BigInt((value as bigint | number | undefined) ?? 0n), true);
      return;
    case 'i64':
      dv.setBigInt64(at, BigInt((value as bigint | number | undefined) ?? 0n), true);
      return;
    case 'c':
      bytes[at] = typeof value === 'string' && value.length > 0 ? value.charCodeAt(0) : 0;
      return;
    default: {
      const len = Number(f[1].slice(1));
      const s = typeof value === 'string' ? value : '';
      if (s.length >= len) throw new RangeError(`${f[0]} longer than ${len - 1} bytes: ${s}`);
      for (let i = 0; i < s.length; i++) bytes[at + i] = s.charCodeAt(i) & 0xff;
    }
  }
}

export function readHeader(bytes: Uint8Array, dv: DataView, off: number): RecordHeader {
  return {
    length: bytes[off],
    rtype: bytes[off + 1],
    publisher_id: dv.getUint16(off + 2, true),
    instrument_id: dv.getUint32(off + 4, true),
    ts_event: dv.getBigUint64(off + 8, true),
  };
}

/** v3 defaults for definition fields older versions lack (dbn's upgrade values). */
const DEFINITION_V3_DEFAULTS = {
  leg_price: UNDEF_PRICE,
  leg_delta: UNDEF_PRICE,
  leg_instrument_id: 0,
  leg_ratio_price_numerator: 0,
  leg_ratio_price_denominator: 0,
  leg_ratio_qty_numerator: 0,
  leg_ratio_qty_denominator: 0,
  leg_underlying_id: 0,
  leg_count: 0,
  leg_index: 0,
  leg_raw_symbol: '',
  leg_instrument_class: '',
  leg_side: 'N',
};

/**
 * Decodes the record at `off` (its length already checked to fit). Returns undefined for rtypes
 * without a known layout, or records shorter than their layout (skipped by length, like dbn).
 */
export function decodeRecord(
  bytes: Uint8Array,
  dv: DataView,
  off: number,
  version: 1 | 2 | 3,
  tsOut: boolean,
): DbnRecord | undefined {
  const rtype = bytes[off + 1];
  const layout = layoutFor(rtype, version);
  const size = bytes[off] * 4;
  if (!layout || size < layout.size + (tsOut ? 8 : 0)) return undefined;
  const rec: Record<string, unknown> = { kind: layout.kind, hd: readHeader(bytes, dv, off) };
  if (layout.kind === 'definition' && version !== 3) Object.assign(rec, DEFINITION_V3_DEFAULTS);
  for (const f of layout.fields) rec[f[0]] = readField(bytes, dv, off, f);
  if (layout.kind === 'stat' && typeof rec.quantity === 'number') rec.quantity = BigInt(rec.quantity);
  if (layout.legacy) {
    const legacy: Record<string, unknown> = {};
    for (const f of layout.legacy) legacy[f[0]] = readField(bytes, dv, off, f);
    rec.legacy = legacy;
  }
  if (layout.levels) rec.levels = readLevels(dv, off, layout);
  if (tsOut) rec.ts_out = dv.getBigUint64(off + size - 8, true);
  return rec as unknown as DbnRecord;
}

function readLevels(dv: DataView, off: number, layout: RecordLayout): unknown[] {
  const { count, offset, consolidated } = layout.levels!;
  const levels: unknown[] = [];
  for (let i = 0; i < count; i++) {
    const at = off + offset + i * 32;
    const base = {
      bid_px: dv.getBigInt64(at, true),
      ask_px: dv.getBigInt64(at + 8, true),
      bid_sz: dv.getUint32(at + 16, true),
      ask_sz: dv.getUint32(at + 20, true),
    };
    levels.push(
      consolidated
        ? { ...base, bid_pb: dv.getUint16(at + 24, true), ask_pb: dv.getUint16(at + 28, true) }
        : { ...base, bid_ct: dv.getUint32(at + 24, true), ask_ct: dv.getUint32(at + 28, true) },
    );
  }
  return levels;
}

/** Byte size of a record in DBN v3 (plus 8 with ts_out). */
export function encodedRecordSize(rec: DbnRecord, tsOut = false): number {
  const layout = layoutFor(rec.hd.rtype, 3);
  if (!layout || layout.kind !== rec.kind) {
    throw new RangeError(`cannot encode ${rec.kind} record with rtype 0x${rec.hd.rtype.toString(16)}`);
  }
  return layout.size + (tsOut ? 8 : 0);
}

/** Writes `rec` in the DBN v3 layout at `off`; returns the bytes written. The length byte is recomputed. */
export function encodeRecordInto(rec: DbnRecord, out: Uint8Array, dv: DataView, off: number, tsOut = false): number {
  const size = encodedRecordSize(rec, tsOut);
  const layout = layoutFor(rec.hd.rtype, 3)!;
  out.fill(0, off, off + size);
  out[off] = size / 4;
  out[off + 1] = rec.hd.rtype;
  dv.setUint16(off + 2, rec.hd.publisher_id, true);
  dv.setUint32(off + 4, rec.hd.instrument_id, true);
  dv.setBigUint64(off + 8, rec.hd.ts_event, true);
  const r = rec as unknown as Record<string, unknown>;
  for (const f of layout.fields) writeField(out, dv, off, f, r[f[0]]);
  if (layout.levels) {
    const { count, offset, consolidated } = layout.levels;
    const levels = (r.levels as Record<string, bigint | number>[]) ?? [];
    for (let i = 0; i < count && i < levels.length; i++) {
      const at = off + offset + i * 32;
      const l = levels[i];
      dv.setBigInt64(at, BigInt(l.bid_px), true);
      dv.setBigInt64(at + 8, BigInt(l.ask_px), true);
      dv.setUint32(at + 16, Number(l.bid_sz), true);
      dv.setUint32(at + 20, Number(l.ask_sz), true);
      if (consolidated) {
        dv.setUint16(at + 24, Number(l.bid_pb), true);
        dv.setUint16(at + 28, Number(l.ask_pb), true);
      } else {
        dv.setUint32(at + 24, Number(l.bid_ct), true);
        dv.setUint32(at + 28, Number(l.ask_ct), true);
      }
    }
  }
  if (tsOut) dv.setBigUint64(off + size - 8, rec.ts_out ?? 0n, true);
  return size;
}
