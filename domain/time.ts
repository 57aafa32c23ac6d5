/**
 * Time helpers shared by workflows and activities; pure (no Node APIs), so the workflow bundle may import them.
 * Timestamps are UNIX nanoseconds as bigint; ISO strings travel in payloads because JSON has no bigint.
 */

const NS_PER_MS = 1_000_000n;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const ISO_DATETIME = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?$/;

/** Parses an ISO 8601 date/datetime (naive = UTC) or an integer-nanoseconds string into UNIX ns. */
export function parseTimeNs(input: string | number | bigint): bigint {
  if (typeof input === 'bigint') return input;
  if (typeof input === 'number') {
    if (!Number.isSafeInteger(input)) throw new RangeError(`not an integer nanosecond timestamp: ${input}`);
    return BigInt(input);
  }
  const text = input.trim();
  if (/^\d+$/.test(text)) return BigInt(text);
  if (ISO_DATE.test(text)) {
    const ms = Date.parse(`${text}T00:00:00Z`);
    if (Number.isNaN(ms)) throw new RangeError(`invalid date: ${input}`);
    return BigInt(ms) * NS_PER_MS;
  }
  const m = ISO_DATETIME.exec(text);
  if (!m) throw new RangeError(`invalid timestamp (want ISO 8601 or integer nanoseconds): ${input}`);
  const [, date, hh, mm, ss = '00', frac = '', zone = 'Z'] = m;
  const ms = Date.parse(`${date}T${hh}:${mm}:${ss}${zone === 'Z' ? 'Z' : zone}`);
  if (Number.isNaN(ms)) throw new RangeError(`invalid timestamp: ${input}`);
  const fracNs = BigInt((frac + '000000000').slice(0, 9));
  return BigInt(ms) * NS_PER_MS + fracNs;
}

/** `2020-12-28T00:00:00.000000000Z` (Databento's pretty_ts form). */
export function formatTsNs(ns: bigint): string {
  const ms = ns / NS_PER_MS;
  const iso = new Date(Number(ms)).toISOString(); // ...ss.mmmZ
  const frac = (ns % 1_000_000_000n).toString().padStart(9, '0');
  return `${iso.slice(0, 19)}.${frac}Z`;
}

/** `2020-12-28T00:00:00Z`, the compact form used in ids and payloads. */
export function isoSeconds(ns: bigint): string {
  return new Date(Number(ns / NS_PER_MS)).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** `YYYY-MM-DD` of the UTC day containing ns. */
export function utcDate(ns: bigint): string {
  return new Date(Number(ns / NS_PER_MS)).toISOString().slice(0, 10);
}

export function dateToNs(date: string): bigint {
  return parseTimeNs(date);
}
