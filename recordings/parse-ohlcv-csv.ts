import { allocOhlcvColumns, sliceOhlcvColumns, type OhlcvColumns } from '../dbn/ohlcv-columns';
import { parsePx, UNDEF_PRICE } from '../dbn/price';
import { RecordingParseError } from './recording-parse-error';

/**
 * Hand-rolled byte scanner for OHLCV CSV text (Databento's CSV with pretty_px/pretty_ts/map_symbols,
 * and the ZL file's variant with `price_date`). Exact: prices and timestamps never pass through a
 * JS Number beyond 2^53; 64-bit values are written as two 32-bit words into the BigInt arrays.
 * Rows keep file order.
 */

const COMMA = 0x2c;
const LF = 0x0a;
const CR = 0x0d;
const DOT = 0x2e;
const MINUS = 0x2d;
const TWO32 = 4294967296;
const TWO16 = 65536;

type Field = 'ts_event' | 'price_date' | 'rtype' | 'publisher_id' | 'instrument_id' | 'open' | 'high' | 'low' | 'close' | 'volume' | 'symbol';
const KNOWN: ReadonlySet<string> = new Set<Field>([
  'ts_event',
  'price_date',
  'rtype',
  'publisher_id',
  'instrument_id',
  'open',
  'high',
  'low',
  'close',
  'volume',
  'symbol',
]);
const REQUIRED: readonly Field[] = ['rtype', 'publisher_id', 'instrument_id', 'open', 'high', 'low', 'close', 'volume', 'symbol'];

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
export function daysFromCivil(y: number, m: number, d: number): number {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** Writes secs*1e9 + fracNs (secs in [0, 2^32)) as a u64 into two words, exactly. */
function putNs(words: Int32Array, i: number, secs: number, fracNs: number): void {
  const sh = Math.floor(secs / TWO16);
  const sl = secs - sh * TWO16;
  const x = sh * 1e9; // < 2^46
  const y = sl * 1e9 + fracNs; // < 2^47
  const xh = Math.floor(x / TWO16);
  const xl = x - xh * TWO16;
  const z = xl * TWO16 + y;
  const carry = Math.floor(z / TWO32);
  words[2 * i] = (z - carry * TWO32) | 0;
  words[2 * i + 1] = (xh + carry) | 0;
}

/** Writes a safe-integer Number as an i64/u64 into two words. */
function putInt(words: Int32Array, i: number, v: number): void {
  const hi = Math.floor(v / TWO32);
  words[2 * i] = (v - hi * TWO32) | 0;
  words[2 * i + 1] = hi | 0;
}

export interface ParsedOhlcvCsv {
  columns: OhlcvColumns;
  symbol: string[];
}

export function parseOhlcvCsv(bytes: Uint8Array, source: string): ParsedOhlcvCsv {
  const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n8 = buf.length;
  let p = 0;
  let line = 1;
  const fail = (detail: string): never => {
    throw new RecordingParseError(source, line, detail);
  };

  // Header.
  let eol = buf.indexOf(LF, 0);
  if (eol < 0) eol = n8;
  const headerText = buf.toString("latin1", 0, eol).replace(/\r$/, '');
  const names = headerText.split(',');
  for (const name of names) if (!KNOWN.has(name)) fail(`unexpected column ${JSON.stringify(name)} in header ${JSON.stringify(headerText)}`);
  if (new Set(names).size !== names.length) fail(`duplicate column in header ${JSON.stringify(headerText)}`);
  for (const r of REQUIRED) if (!names.includes(r)) fail(`missing column ${r} in header ${JSON.stringify(headerText)}`);
  const hasTs = names.includes('ts_event');
  if (hasTs === names.includes('price_date')) fail('need exactly one of ts_event or price_date');
  const fields = names as Field[];
  p = eol + 1;

  // Upper bound on rows: newline count after the header (+1 for a missing final newline).
  let rows = 0;
  for (let q = buf.indexOf(LF, p); q >= 0; q = buf.indexOf(LF, q + 1)) rows++;
  if (p < n8 && buf[n8 - 1] !== LF) rows++;

  const c = allocOhlcvColumns(rows);
  const ts = new Int32Array(c.ts_event.buffer);
  const px = {
    open: new Int32Array(c.open.buffer),
    high: new Int32Array(c.high.buffer),
    low: new Int32Array(c.low.buffer),
    close: new Int32Array(c.close.buffer),
  };
  const vol = new Int32Array(c.volume.buffer);
  const symbol: string[] = new Array(rows);
  const interned = new Map<string, string>();

  const uint = (name: string, end: number): number => {
    if (p === end) fail(`empty ${name}`);
    let v = 0;
    for (; p < end; p++) {
      const d = buf[p] - 48;
      if (d < 0 || d > 9) fail(`bad digit in ${name}`);
      v = v * 10 + d;
    }
    if (v > Number.MAX_SAFE_INTEGER) fail(`${name} too large`);
    return v;
  };

  const bounded = (v: number, max: number, name: string): number => (v > max ? fail(`${name} ${v} out of range`) : v);

  const price = (words: Int32Array, i: number, end: number, name: string): void => {
    if (p === end) {
      // empty = UNDEF (Databento renders UNDEF_PRICE as an empty field)
      c[name as 'open'][i] = UNDEF_PRICE;
      return;
    }
    const start = p;
    let neg = false;
    if (buf[p] === MINUS) {
      neg = true;
      p++;
    }
    let whole = 0;
    let wholeDigits = 0;
    for (; p < end && buf[p] !== DOT; p++) {
      const d = buf[p] - 48;
      if (d < 0 || d > 9) fail(`bad ${name} ${JSON.stringify(buf.toString("latin1", start, end))}`);
      whole = whole * 10 + d;
      wholeDigits++;
    }
    let frac = 0;
    let fracDigits = 0;
    if (p < end) {
      p++; // '.'
      for (; p < end; p++) {
        const d = buf[p] - 48;
        if (d < 0 || d > 9) fail(`bad ${name} ${JSON.stringify(buf.toString("latin1", start, end))}`);
        frac = frac * 10 + d;
        fracDigits++;
      }
      if (fracDigits === 0 || fracDigits > 9) fail(`bad ${name} ${JSON.stringify(buf.toString("latin1", start, end))}`);
    }
    if (wholeDigits === 0) fail(`bad ${name} ${JSON.stringify(buf.toString("latin1", start, end))}`);
    if (wholeDigits > 6) {
      // beyond the exact-Number fast path: exact BigInt parse
      try {
        c[name as 'open'][i] = parsePx(buf.toString("latin1", start, end));
      } catch (err) {
        fail(`bad ${name}: ${(err as Error).message}`);
      }
      return;
    }
    const v = whole * 1e9 + frac * 10 ** (9 - fracDigits); // < 1e15: exact
    putInt(words, i, neg ? -v : v);
  };

  const tsPretty = (i: number, end: number): void => {
    // YYYY-MM-DDTHH:MM:SS[.f{1,9}]Z, or integer nanoseconds (pretty_ts off)
    const len = end - p;
    if (len >= 20 && buf[p + 4] === MINUS) {
      const dd = (k: number) => (buf[p + k] - 48) * 10 + (buf[p + k + 1] - 48);
      const y = dd(0) * 100 + dd(2);
      const days = daysFromCivil(y, dd(5), dd(8));
      const secs = days * 86400 + dd(11) * 3600 + dd(14) * 60 + dd(17);
      let frac = 0;
      let k = p + 19;
      if (buf[k] === DOT) {
        k++;
        let digits = 0;
        for (; k < end && buf[k] !== 0x5a; k++, digits++) frac = frac * 10 + (buf[k] - 48);
        frac *= 10 ** (9 - digits);
      }
      if (buf[end - 1] !== 0x5a || Number.isNaN(secs) || secs < 0 || secs >= TWO32) {
        fail(`bad ts_event ${JSON.stringify(buf.toString("latin1", p, end))}`);
      }
      putNs(ts, i, secs, frac);
      p = end;
      return;
    }
    const text = buf.toString("latin1", p, end);
    if (!/^\d+$/.test(text)) fail(`bad ts_event ${JSON.stringify(text)}`);
    c.ts_event[i] = BigInt(text);
    p = end;
  };

  const priceDate = (i: number, end: number): void => {
    if (end - p !== 10 || buf[p + 4] !== MINUS || buf[p + 7] !== MINUS) fail(`bad price_date ${JSON.stringify(buf.toString("latin1", p, end))}`);
    const dd = (k: number) => (buf[p + k] - 48) * 10 + (buf[p + k + 1] - 48);
    const secs = daysFromCivil(dd(0) * 100 + dd(2), dd(5), dd(8)) * 86400;
    if (Number.isNaN(secs)) fail(`bad price_date ${JSON.stringify(buf.toString("latin1", p, end))}`);
    putNs(ts, i, secs, 0);
    p = end;
  };

  let i = 0;
  const last = fields.length - 1;
  while (p < n8) {
    line++;
    let lineEnd = buf.indexOf(LF, p);
    if (lineEnd < 0) lineEnd = n8;
    let rowEnd = lineEnd;
    if (rowEnd > p && buf[rowEnd - 1] === CR) rowEnd--;
    if (rowEnd === p) {
      // blank line: only allowed as trailing
      p = lineEnd + 1;
      continue;
    }
    for (let f = 0; f <= last; f++) {
      let end: number;
      if (f === last) end = rowEnd;
      else {
        end = buf.indexOf(COMMA, p);
        if (end < 0 || end > rowEnd) fail(`row has ${f + 1} fields, want ${fields.length}`);
      }
      switch (fields[f]) {
        case 'ts_event':
          tsPretty(i, end);
          break;
        case 'price_date':
          priceDate(i, end);
          break;
        case 'rtype':
          c.rtype[i] = bounded(uint('rtype', end), 0xff, 'rtype');
          break;
        case 'publisher_id':
          c.publisher_id[i] = bounded(uint('publisher_id', end), 0xffff, 'publisher_id');
          break;
        case 'instrument_id':
          c.instrument_id[i] = bounded(uint('instrument_id', end), 0xffffffff, 'instrument_id');
          break;
        case 'open':
        case 'high':
        case 'low':
        case 'close':
          price(px[fields[f] as 'open'], i, end, fields[f]);
          break;
        case 'volume':
          putInt(vol, i, uint('volume', end));
          break;
        case 'symbol': {
          const s = buf.toString("latin1", p, end);
          if (s.includes('"')) fail('quoted fields are not supported');
          let t: string | undefined = interned.get(s);
          if (t === undefined) {
            t = s;
            interned.set(s, s);
          }
          symbol[i] = t;
          p = end;
          break;
        }
      }
      if (f < last) {
        if (buf[p] !== COMMA) fail(`trailing characters in ${fields[f]}`);
        p++;
      } else if (p !== rowEnd) fail(`row has more than ${fields.length} fields`);
    }
    i++;
    p = lineEnd + 1;
  }
  symbol.length = i;
  return { columns: i === rows ? c : sliceOhlcvColumns(c, 0, i), symbol };
}
