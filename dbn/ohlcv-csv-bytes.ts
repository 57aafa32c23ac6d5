import { formatTsNs } from '../domain/time';
import type { OhlcvColumns } from './ohlcv-columns';
import { UNDEF_PRICE, UNDEF_TIMESTAMP } from './price';

const TWO32 = 4294967296;
const SAFE_HI = 0x200000; // |hi| < 2^21 ⇒ |value| < 2^53
const COMMA = 0x2c;
const LF = 0x0a;

/**
 * OHLCV columns straight to CSV bytes (no per-row strings: rendering 228k rows through string
 * concatenation spends most of its time in GC). Same text as the record renderer.
 */
export function ohlcvCsvBytes(
  c: OhlcvColumns,
  o: { pretty_px: boolean; pretty_ts: boolean; map_symbols: boolean },
  symbolOf: ((i: number) => string) | null,
): Buffer {
  let buf = Buffer.allocUnsafe(Math.max(256, c.length * 128));
  let p = 0;
  const ensure = (n: number) => {
    if (p + n <= buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(buf.length * 2, p + n));
    buf.copy(next, 0, 0, p);
    buf = next;
  };
  const digits = new Uint8Array(24);
  const writeUint = (v: number) => {
    // v: non-negative safe integer
    let k = 0;
    do {
      const q = Math.floor(v / 10);
      digits[k++] = 48 + (v - q * 10);
      v = q;
    } while (v > 0);
    while (k > 0) buf[p++] = digits[--k];
  };
  const writeText = (s: string) => {
    p += buf.write(s, p, 'latin1');
  };
  const w = (a: BigInt64Array | BigUint64Array) => new Int32Array(a.buffer, a.byteOffset, c.length * 2);
  const pxWords = [w(c.open), w(c.high), w(c.low), w(c.close)];
  const pxArrays = [c.open, c.high, c.low, c.close];
  const vo = w(c.volume);
  const symbolBytes = new Map<string, Buffer>();

  let lastTs = -1n;
  let tsBytes = Buffer.alloc(0);
  for (let i = 0; i < c.length; i++) {
    ensure(256);
    const t = c.ts_event[i];
    if (t !== lastTs) {
      lastTs = t;
      const text = o.pretty_ts ? (t === 0n || t === UNDEF_TIMESTAMP ? '' : formatTsNs(t)) : t.toString();
      tsBytes = Buffer.from(text, 'latin1');
    }
    p += tsBytes.copy(buf, p);
    buf[p++] = COMMA;
    writeUint(c.rtype[i]);
    buf[p++] = COMMA;
    writeUint(c.publisher_id[i]);
    buf[p++] = COMMA;
    writeUint(c.instrument_id[i]);
    for (let k = 0; k < 4; k++) {
      buf[p++] = COMMA;
      const words = pxWords[k];
      const lo = words[2 * i] >>> 0;
      const hi = words[2 * i + 1];
      if (hi < SAFE_HI && hi >= -SAFE_HI) {
        let v = hi * TWO32 + lo;
        if (!o.pretty_px) {
          if (v < 0) {
            buf[p++] = 0x2d;
            v = -v;
          }
          writeUint(v);
          continue;
        }
        if (v < 0) {
          buf[p++] = 0x2d;
          v = -v;
        }
        const whole = Math.floor(v / 1e9);
        let frac = v - whole * 1e9;
        writeUint(whole);
        buf[p++] = 0x2e;
        for (let d = 8; d >= 0; d--) {
          const q = Math.floor(frac / 10);
          buf[p + d] = 48 + (frac - q * 10);
          frac = q;
        }
        p += 9;
      } else {
        const v = pxArrays[k][i];
        if (o.pretty_px) {
          if (v !== UNDEF_PRICE) {
            const neg = v < 0n;
            const mag = neg ? -v : v;
            writeText(`${neg ? '-' : ''}${mag / 1_000_000_000n}.${(mag % 1_000_000_000n).toString().padStart(9, '0')}`);
          }
        } else writeText(v.toString());
      }
    }
    buf[p++] = COMMA;
    const vhi = vo[2 * i + 1];
    if (vhi >= 0 && vhi < SAFE_HI) writeUint(vhi * TWO32 + (vo[2 * i] >>> 0));
    else writeText(c.volume[i].toString());
    if (o.map_symbols) {
      buf[p++] = COMMA;
      const s = symbolOf ? symbolOf(i) : '';
      if (s) {
        let b = symbolBytes.get(s);
        if (!b) {
          b = Buffer.from(/[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s, 'latin1');
          symbolBytes.set(s, b);
        }
        ensure(b.length + 2);
        p += b.copy(buf, p);
      }
    }
    buf[p++] = LF;
  }
  return buf.subarray(0, p);
}
