/**
 * CME Globex trading sessions: 17:00 America/Chicago on day D−1 to 16:00 CT on day D belong to trade date D
 * (16:00–17:00 CT is the daily maintenance halt). DST comes from the runtime's ICU tz data, never a fixed offset.
 */

const NS_PER_HOUR = 3_600_000_000_000n;
const NS_PER_DAY = 86_400_000_000_000n;
const MS_PER_DAY = 86_400_000;
/** Local hour at which the next trade date's session opens. */
export const CME_SESSION_OPEN_HOUR_CT = 17;
/** Local hour at which a session closes (then the maintenance halt). */
export const CME_SESSION_CLOSE_HOUR_CT = 16;

const chicago = new Intl.DateTimeFormat('en-US', {
  timeZone: 'America/Chicago',
  hourCycle: 'h23',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
});

interface ChicagoHour {
  /** UNIX ms of the local calendar date at 00:00Z (a day number in disguise) */
  localDateMs: number;
  hour: number;
}

// Chicago's UTC offset is always whole hours, so one lookup per UTC hour is exact; bars repeat hours a lot.
const hourCache = new Map<bigint, ChicagoHour>();
const HOUR_CACHE_LIMIT = 500_000;

function chicagoHour(ns: bigint): ChicagoHour {
  const utcHour = ns >= 0n ? ns / NS_PER_HOUR : (ns - NS_PER_HOUR + 1n) / NS_PER_HOUR;
  const hit = hourCache.get(utcHour);
  if (hit) return hit;
  const parts = chicago.formatToParts(new Date(Number(utcHour) * 3_600_000));
  let y = 0;
  let m = 0;
  let d = 0;
  let h = 0;
  for (const p of parts) {
    if (p.type === 'year') y = Number(p.value);
    else if (p.type === 'month') m = Number(p.value);
    else if (p.type === 'day') d = Number(p.value);
    else if (p.type === 'hour') h = Number(p.value);
  }
  const value = { localDateMs: Date.UTC(y, m - 1, d), hour: h };
  if (hourCache.size >= HOUR_CACHE_LIMIT) hourCache.clear();
  hourCache.set(utcHour, value);
  return value;
}

/** `YYYY-MM-DD` → UNIX ms at 00:00Z. */
function dateMs(date: string): number {
  const ms = Date.parse(`${date}T00:00:00Z`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || Number.isNaN(ms)) throw new RangeError(`invalid date: ${date}`);
  return ms;
}

const isoDate = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

/** Day number (days since 1970-01-01) of the CME trade date a timestamp belongs to. */
export function cmeTradeDayNumber(tsNs: bigint): number {
  const { localDateMs, hour } = chicagoHour(tsNs);
  const day = localDateMs / MS_PER_DAY;
  return hour >= CME_SESSION_OPEN_HOUR_CT ? day + 1 : day;
}

/**
 * CME Globex trade date (`YYYY-MM-DD`) of a timestamp: at or after 17:00 CT it is the next calendar day's session.
 * A Sunday-evening bar therefore belongs to Monday; a bar in the 16:00–17:00 CT halt (rare) to the same day.
 */
export function cmeTradeDate(tsNs: bigint): string {
  return isoDate(cmeTradeDayNumber(tsNs) * MS_PER_DAY);
}

/** The trade date as UNIX ns at 00:00Z (the ts_event convention of session-daily bars). */
export function cmeTradeDateNs(tsNs: bigint): bigint {
  return BigInt(cmeTradeDayNumber(tsNs)) * NS_PER_DAY;
}

/** UTC offset of America/Chicago at `tsNs`, in hours (−5 in CDT, −6 in CST). */
export function chicagoUtcOffsetHours(tsNs: bigint): number {
  const { localDateMs, hour } = chicagoHour(tsNs);
  const utcHourMs = Number((tsNs >= 0n ? tsNs / NS_PER_HOUR : (tsNs - NS_PER_HOUR + 1n) / NS_PER_HOUR) * 3_600_000n);
  return (localDateMs + hour * 3_600_000 - utcHourMs) / 3_600_000;
}

/** UNIX ns at which the session of `tradeDate` opens: 17:00 CT on the previous calendar day. */
export function cmeSessionOpenNs(tradeDate: string): bigint {
  const prevDayMs = dateMs(tradeDate) - MS_PER_DAY;
  // 17:00 local is 22:00Z in CDT or 23:00Z in CST; pick the candidate whose local hour is 17.
  for (const utcHour of [22, 23]) {
    const ns = BigInt(prevDayMs + utcHour * 3_600_000) * 1_000_000n;
    const local = chicagoHour(ns);
    if (local.hour === CME_SESSION_OPEN_HOUR_CT && local.localDateMs === prevDayMs) return ns;
  }
  throw new RangeError(`no 17:00 America/Chicago on the eve of ${tradeDate}`);
}

/** Whether a date (`YYYY-MM-DD` or day number) is Monday–Friday, i.e. a regular CME trade date. */
export function isWeekdayTradeDate(date: string | number): boolean {
  const ms = typeof date === 'number' ? date * MS_PER_DAY : dateMs(date);
  const dow = new Date(ms).getUTCDay();
  return dow >= 1 && dow <= 5;
}

/** Day number of a `YYYY-MM-DD` date. */
export function dayNumber(date: string): number {
  return dateMs(date) / MS_PER_DAY;
}

/** `YYYY-MM-DD` of a day number. */
export function dayNumberToDate(day: number): string {
  return isoDate(day * MS_PER_DAY);
}

/**
 * Weekday trade dates strictly between two trade-day numbers, minus the given holidays: the regular sessions
 * in which an instrument that traded on both ends printed nothing.
 */
export function weekdaySessionsBetween(fromDay: number, toDay: number, holidays?: ReadonlySet<string>): number {
  let n = 0;
  for (let d = fromDay + 1; d < toDay; d++) {
    if (!isWeekdayTradeDate(d)) continue;
    if (holidays?.has(dayNumberToDate(d))) continue;
    n++;
  }
  return n;
}
