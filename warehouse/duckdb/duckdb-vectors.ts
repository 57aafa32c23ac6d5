import duckdb from '@duckdb/node-bindings';
import { DuckDBDataChunk, type DuckDBAppender } from '@duckdb/node-api';

/**
 * Column writers for DuckDB data chunks: each fills `count` rows of one vector from row `offset` of a typed
 * array, with no per-row DuckDB call (except strings) and no BigInt arithmetic, so appending a bar chunk
 * costs about what copying its columns does.
 */
export type VectorWriter = (vector: duckdb.Vector, offset: number, count: number) => void;

type Unsigned = Uint8Array | Uint16Array | Uint32Array;
type Int64 = BigInt64Array | BigUint64Array;

/** Reused per process: one vector's worth of 16-byte values. */
let scratch: Uint32Array<ArrayBuffer> = new Uint32Array(0);
function scratchFor(words: number): Uint32Array<ArrayBuffer> {
  if (scratch.length < words) scratch = new Uint32Array(words);
  return scratch;
}

/** The array's bytes as they are (same width and representation as the vector). */
export const copyColumn =
  (src: Unsigned | Int64): VectorWriter =>
  (vector, offset, count) => {
    const bpe = src.BYTES_PER_ELEMENT;
    duckdb.copy_data_to_vector(vector, 0, src.buffer as ArrayBuffer, src.byteOffset + offset * bpe, count * bpe);
  };

/** An unsigned 8/16/32-bit column into a BIGINT vector. */
export const widenToBigint =
  (src: Unsigned): VectorWriter =>
  (vector, offset, count) => {
    const out = scratchFor(count * 2);
    for (let i = 0; i < count; i++) {
      out[2 * i] = src[offset + i];
      out[2 * i + 1] = 0;
    }
    duckdb.copy_data_to_vector(vector, 0, out.buffer, 0, count * 8);
  };

/**
 * Nanoseconds since the epoch (u64, < 2^63) into a TIMESTAMP (µs) vector, floor division done exactly on
 * 32-bit halves: (hi·2^32 + lo) / 1000 = ⌊hi/1000⌋·2^32 + ⌊((hi mod 1000)·2^32 + lo) / 1000⌋, where the second
 * dividend stays below 2^53.
 */
export const nanosToMicros =
  (src: Int64): VectorWriter =>
  (vector, offset, count) => {
    const words = new Uint32Array(src.buffer, src.byteOffset + offset * 8, count * 2);
    const out = scratchFor(count * 2);
    for (let i = 0; i < count; i++) {
      const lo = words[2 * i];
      const hi = words[2 * i + 1];
      const qHi = Math.floor(hi / 1000);
      const qLo = Math.floor(((hi - qHi * 1000) * 4294967296 + lo) / 1000);
      out[2 * i] = qLo >>> 0;
      out[2 * i + 1] = qHi + Math.floor(qLo / 4294967296);
    }
    duckdb.copy_data_to_vector(vector, 0, out.buffer, 0, count * 8);
  };

/**
 * A signed 64-bit column into a 128-bit vector (HUGEINT, or DECIMAL with precision > 18, whose storage is the
 * unscaled integer): low word as is, high word the sign extension. A 1e-9 fixed-point price is thereby exactly a
 * DECIMAL(38,9).
 */
export const int64ToInt128 =
  (src: BigInt64Array): VectorWriter =>
  (vector, offset, count) => {
    const words = new Int32Array(src.buffer, src.byteOffset + offset * 8, count * 2);
    const out = new Int32Array(scratchFor(count * 4).buffer, 0, count * 4);
    for (let i = 0; i < count; i++) {
      const hi = words[2 * i + 1];
      const sign = hi >> 31;
      out[4 * i] = words[2 * i];
      out[4 * i + 1] = hi;
      out[4 * i + 2] = sign;
      out[4 * i + 3] = sign;
    }
    duckdb.copy_data_to_vector(vector, 0, out.buffer, 0, count * 16);
  };

/** A VARCHAR vector from a per-row accessor; null or undefined become SQL NULL. */
export const strings = (at: (row: number) => string | null | undefined): VectorWriter => {
  const validity = new BigUint64Array(Math.ceil(duckdb.vector_size() / 64));
  return (vector, offset, count) => {
    let nulls = false;
    for (let i = 0; i < count; i++) {
      const s = at(offset + i);
      if (s === null || s === undefined) {
        if (!nulls) {
          validity.fill(0xffffffffffffffffn);
          nulls = true;
        }
        validity[i >> 6] &= ~(1n << BigInt(i & 63));
      } else {
        duckdb.vector_assign_string_element(vector, i, s);
      }
    }
    if (nulls) {
      duckdb.vector_ensure_validity_writable(vector);
      duckdb.copy_data_to_vector_validity(vector, 0, validity.buffer, 0, Math.ceil(count / 64) * 8);
    }
  };
};

/** The same value in every row (a constant vector: nothing copied per row). */
export const constant =
  (value: duckdb.Value): VectorWriter =>
  (vector) =>
    duckdb.vector_reference_value(vector, value);

/**
 * Appends `rows` rows through data chunks of the standard vector size, one writer per appender column, then
 * flushes. The appender joins the connection's open transaction, if any.
 */
export function appendColumns(appender: DuckDBAppender, rows: number, writers: VectorWriter[]): void {
  if (writers.length !== appender.columnCount) {
    throw new RangeError(`${writers.length} column writers for an appender of ${appender.columnCount} columns`);
  }
  const types = Array.from({ length: appender.columnCount }, (_, i) => appender.columnType(i));
  const chunk = DuckDBDataChunk.create(types);
  const cap = duckdb.vector_size();
  for (let offset = 0; offset < rows; offset += cap) {
    const count = Math.min(cap, rows - offset);
    chunk.reset();
    chunk.rowCount = count;
    writers.forEach((write, c) => write(duckdb.data_chunk_get_vector(chunk.chunk, c), offset, count));
    appender.appendDataChunk(chunk);
  }
  appender.flushSync();
}
