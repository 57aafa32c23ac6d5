/** Exact fixed-point prices (1 unit = 1e-9), as in dbn: never through a JS Number for arbitrary values. */

export const FIXED_PRICE_SCALE = 1_000_000_000n;
/** dbn `UNDEF_PRICE` (i64::MAX): "no price". */
export const UNDEF_PRICE = 9223372036854775807n;
/** dbn `UNDEF_TIMESTAMP` (u64::MAX): "no timestamp". */
export const UNDEF_TIMESTAMP = 18446744073709551615n;

const I64_MAX = 9223372036854775807n;
const I64_MIN = -9223372036854775808n;
const PRICE_TEXT = /^(-?)(\d+)(?:\.(\d+))?$/;

export type PriceTextErrorReason = 'syntax' | 'too_many_fraction_digits' | 'overflow';

/** Decimal price text that cannot be represented exactly as an i64 at 1e-9. */
export class PriceTextError extends Error {
  override readonly name = 'PriceTextError';
  readonly code = 'PRICE_TEXT_INVALID' as const;
  constructor(
    readonly text: string,
    readonly reason: PriceTextErrorReason,
  ) {
    super(`invalid price text ${JSON.stringify(text.length > 64 ? text.slice(0, 64) + '…' : text)}: ${reason.replace(/_/g, ' ')}`);
  }
}

/** Exact decimal text ("3702.75", "-1.5", "36.8", "3702.750000000") to i64 fixed-point at 1e-9. */
export function parsePx(text: string): bigint {
  const m = PRICE_TEXT.exec(text);
  if (!m) throw new PriceTextError(text, 'syntax');
  const [, sign, whole, frac = ''] = m;
  if (frac.length > 9) throw new PriceTextError(text, 'too_many_fraction_digits');
  const magnitude = BigInt(whole) * FIXED_PRICE_SCALE + BigInt(frac.padEnd(9, '0'));
  const value = sign ? -magnitude : magnitude;
  if (value > I64_MAX || value < I64_MIN) throw new PriceTextError(text, 'overflow');
  return value;
}

/** i64 fixed-point to decimal text with 9 fraction digits ("3702.750000000", "-1.500000000"). */
export function formatPx(px: bigint): string {
  const neg = px < 0n;
  const mag = neg ? -px : px;
  const whole = mag / FIXED_PRICE_SCALE;
  const frac = (mag % FIXED_PRICE_SCALE).toString().padStart(9, '0');
  return `${neg ? '-' : ''}${whole}.${frac}`;
}
