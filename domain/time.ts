/**
 * Time helpers shared by workflows and activities; pure (no Node APIs), so the workflow bundle may import them.
 * Timestamps are UNIX nanoseconds as bigint; ISO strings travel in payloads because JSON has no bigint.
 */

const NS_PER_MS = 1_000_000n;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const ISO_DATETIME = /^((\d{4})-(\d{2})-(\d{2}))[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|([+-])(\d{2}):?(\d{2}))?$/;

const daysInMonth = (year: number, month: number): number =>
  month === 2 ? (year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31;

/**
 * Throws unless year-month-day is a day of the (proleptic Gregorian) calendar. `Date.parse` alone is not enough:
 * it rolls `2025-02-30` over to March 2 instead of refusing it.
 */
function checkCalendarDate(input: string, year: string, month: string, day: string): void {
  const [y, m, d] = [Number(year), Number(month), Number(day)];
  if (m < 1 || m > 12) throw new RangeError(`not a calendar date: ${input} (month ${month} is not 01-12)`);
  const days = daysInMonth(y, m);
  if (d < 1 || d > days) throw new RangeError(`not a calendar date: ${input} (${year}-${month} has ${days} days)`);
}

/** Throws unless the clock fields are within 00:00:00-23:59:59 and the offset within ±23:59 (no 24:00, no leap second). */
function checkClock(input: string, hh: string, mm: string, ss: string, zoneH = '00', zoneM = '00'): void {
  if (Number(hh) > 23 || Number(mm) > 59 || Number(ss) > 59) throw new RangeError(`not a time of day: ${input} (want 00:00:00 to 23:59:59)`);
  if (Number(zoneH) > 23 || Number(zoneM) > 59) throw new RangeError(`not a UTC offset: ${input} (want -23:59 to +23:59)`);
}

/**
 * Parses an ISO 8601 date/datetime (naive = UTC) or an integer-nanoseconds string into UNIX ns. Strict: a date
 * must exist in the calendar (no 2025-02-30) and a time on the clock (no 25:00), else it throws a RangeError.
 */
export function parseTimeNs(input: string | number | bigint): bigint {
  if (typeof input === 'bigint') return input;
  if (typeof input === 'number') {
    if (!Number.isSafeInteger(input)) throw new RangeError(`not an integer nanosecond timestamp: ${input}`);
    return BigInt(input);
  }
  const text = input.trim();
  if (/^\d+$/.test(text)) return BigInt(text);
  const dateOnly = ISO_DATE.exec(text);
  if (dateOnly) {
    checkCalendarDate(input, dateOnly[1], dateOnly[2], dateOnly[3]);
    const ms = Date.parse(`${text}T00:00:00Z`);
    if (Number.isNaN(ms)) throw new RangeError(`invalid date: ${input}`);
    return BigInt(ms) * NS_PER_MS;
  }
  const m = ISO_DATETIME.exec(text);
  if (!m) throw new RangeError(`invalid timestamp (want ISO 8601 or integer nanoseconds): ${input}`);
  const [, date, year, month, day, hh, mm, ss = '00', frac = '', zone = 'Z', sign, zoneH, zoneM] = m;
  checkCalendarDate(input, year, month, day);
  checkClock(input, hh, mm, ss, zoneH, zoneM);
  const ms = Date.parse(`${date}T${hh}:${mm}:${ss}${zone === 'Z' ? 'Z' : `${sign}${zoneH}:${zoneM}`}`);
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
