import { describe, it, expect } from 'vitest';
import { formatPx, parsePx, PriceTextError, UNDEF_PRICE, FIXED_PRICE_SCALE } from './price';

describe('parsePx', () => {
  it('parses decimal text exactly at 1e-9', () => {
    expect(parsePx('3702.75')).toBe(3702750000000n);
    expect(parsePx('3702.750000000')).toBe(3702750000000n);
    expect(parsePx('-1.5')).toBe(-1500000000n);
    expect(parsePx('36.8')).toBe(36800000000n);
    expect(parsePx('0.000000001')).toBe(1n);
    expect(parsePx('9223372036.854775807')).toBe(UNDEF_PRICE);
    expect(parsePx('-9223372036.854775808')).toBe(-9223372036854775808n);
  });

  it('rejects junk, >9 fraction digits and i64 overflow with a typed error', () => {
    for (const [text, reason] of [
      ['', 'syntax'],
      ['1e5', 'syntax'],
      ['1.', 'syntax'],
      ['.5', 'syntax'],
      ['3702.75x', 'syntax'],
      ['1.0000000001', 'too_many_fraction_digits'],
      ['9223372036.854775808', 'overflow'],
    ] as const) {
      let err: unknown;
      try {
        parsePx(text);
      } catch (e) {
        err = e;
      }
      expect(err, text).toBeInstanceOf(PriceTextError);
      expect((err as PriceTextError).code).toBe('PRICE_TEXT_INVALID');
      expect((err as PriceTextError).reason, text).toBe(reason);
    }
  });
});

describe('formatPx', () => {
  it('prints 9 fraction digits, negatives included', () => {
    expect(formatPx(3702750000000n)).toBe('3702.750000000');
    expect(formatPx(-250000000n)).toBe('-0.250000000');
    expect(formatPx(0n)).toBe('0.000000000');
    expect(formatPx(FIXED_PRICE_SCALE)).toBe('1.000000000');
  });

  it('round-trips with parsePx', () => {
    for (const v of [1n, -1n, 123456789012345678n, -9223372036854775808n, UNDEF_PRICE]) expect(parsePx(formatPx(v))).toBe(v);
  });
});
