/** CME month codes (F = Jan … Z = Dec). */
export const MONTH_CODES = {
  F: 1,
  G: 2,
  H: 3,
  J: 4,
  K: 5,
  M: 6,
  N: 7,
  Q: 8,
  U: 9,
  V: 10,
  X: 11,
  Z: 12,
} as const;
export type MonthCode = keyof typeof MONTH_CODES;

export interface FuturesSymbol {
  root: string;
  monthCode: MonthCode;
  month: number;
  /** the year digits as written: one digit on CME Globex (`NQH0`), sometimes two elsewhere */
  yearDigits: string;
}

const OUTRIGHT = /^([A-Z0-9]+?)([FGHJKMNQUVXZ])(\d{1,2})$/;

/** Whether a raw symbol is a calendar spread or other combination (`NQZ5-NQH6`, `UD:…`), never a front month. */
export function isSpreadSymbol(raw: string): boolean {
  return raw.includes('-') || raw.includes(':') || raw.includes(' ');
}

/** Parses an outright futures raw symbol (`NQZ5`, `ZLN26`); null for spreads and anything else. */
export function parseFuturesSymbol(raw: string): FuturesSymbol | null {
  if (isSpreadSymbol(raw)) return null;
  const m = OUTRIGHT.exec(raw);
  if (!m) return null;
  const monthCode = m[2] as MonthCode;
  return { root: m[1], monthCode, month: MONTH_CODES[monthCode], yearDigits: m[3] };
}

/**
 * Full expiry year of a contract whose raw symbol carries 1–2 year digits, seen trading in `observedYear`:
 * the first year ≥ observedYear ending in those digits. CME reuses one-digit symbols a decade apart (NQH0 is
 * March 2010 and March 2020), and no contract trades more than ten years before it expires, so the year of the
 * contract's FIRST bar pins the decade.
 */
export function inferExpiryYear(yearDigits: string, observedYear: number): number {
  const mod = 10 ** yearDigits.length;
  const want = Number(yearDigits);
  let year = observedYear - (((observedYear % mod) - want + mod) % mod);
  if (year < observedYear) year += mod;
  return year;
}

/**
 * Third Friday of a month at 00:00Z, in UNIX ns: the expiry day of CME equity-index futures (ES, NQ). For other
 * products it is only an ordering key within the month; pass real expirations from definitions instead.
 */
export function thirdFridayNs(year: number, month: number): bigint {
  const firstDow = new Date(Date.UTC(year, month - 1, 1)).getUTCDay();
  const firstFriday = 1 + ((5 - firstDow + 7) % 7);
  return BigInt(Date.UTC(year, month - 1, firstFriday + 14)) * 1_000_000n;
}
