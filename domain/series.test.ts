import { describe, expect, it } from 'vitest';
import { type BackfillInput, backfillInputSchema, backfillWorkflowId, fnv1a64Hex, usdAmountTextSchema } from './series';

const base: BackfillInput = { schemas: ['ohlcv-1d'], symbols: ['ZL.c.0'], stypeIn: 'continuous', start: '2025-01-01', end: '2025-02-01', maxCostUsd: 5 };

/** The `path: message` lines of a failed parse (empty when the input is valid). */
const issues = (patch: Partial<BackfillInput>): string[] => {
  const r = backfillInputSchema.safeParse({ ...base, ...patch });
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};

describe('backfillInputSchema: times are real instants', () => {
  it.each([
    ['Feb 30', '2025-02-30'],
    ['Feb 29 of a common year', '2023-02-29'],
    ['month 13, day 99', '2025-13-99'],
    ['month 00', '2025-00-10'],
    ['day 99', '2025-01-99'],
    ['day 00', '2025-01-00'],
    ['April 31', '2025-04-31'],
    ['hour 25', '2025-01-01T25:00'],
    ['hour 24', '2025-01-01T24:00:00Z'],
    ['minute 60', '2025-01-01T12:60'],
    ['second 61', '2025-01-01T12:00:61Z'],
    ['an offset of +25:00', '2025-01-01T12:00+25:00'],
    ['an offset minute of 75', '2025-01-01T12:00+01:75'],
    ['nanoseconds beyond int64', '99999999999999999999'],
  ])('rejects %s (%s) as start', (_label, start) => {
    const lines = issues({ start, end: '2262-01-01' });
    expect(lines.some((l) => l.startsWith('start: ')), lines.join('\n')).toBe(true);
  });

  it.each([
    ['Feb 29 of a leap year', '2024-02-29', '2024-03-01'],
    ['a datetime with nanoseconds and Z', '2025-01-01T23:59:59.999999999Z', '2025-01-02'],
    ['a datetime with an offset', '2025-01-01T12:00+05:30', '2025-01-02T00:00-0100'],
    ['a naive datetime (UTC)', '2025-01-01T00:00', '2025-01-01T00:01'],
    ['integer nanoseconds', '1735689600000000000', '1738368000000000000'],
    ['mixed ISO and nanoseconds', '2025-01-01', '1738368000000000000'],
  ])('accepts %s', (_label, start, end) => {
    expect(issues({ start, end })).toEqual([]);
  });
});

describe('backfillInputSchema: start before end, compared as instants', () => {
  it.each([
    ['nanoseconds after nanoseconds', '1738368000000000000', '1735689600000000000'],
    ['equal nanoseconds', '1735689600000000000', '1735689600000000000'],
    ['ISO after nanoseconds', '2025-02-01', '1735689600000000000'],
    ['nanoseconds after ISO', '1738368000000000000', '2025-01-01'],
    ['the same instant in two forms', '2025-01-01', '1735689600000000000'],
    ['an offset that puts an apparently earlier start after end', '2024-12-31T20:00-05:00', '2025-01-01T00:30Z'],
    ['ISO after ISO', '2025-02-01', '2025-01-01'],
  ])('rejects %s', (_label, start, end) => {
    expect(issues({ start, end })).toEqual(['start: start must be before end']);
  });

  it('an offset that puts an apparently later start before end is fine', () => {
    // 2025-01-01T01:00+02:00 is 2024-12-31T23:00Z, before 23:30Z
    expect(issues({ start: '2025-01-01T01:00+02:00', end: '2024-12-31T23:30Z' })).toEqual([]);
    expect(issues({ start: '2025-01-01T01:00+02:00', end: '1735687800000000000' })).toEqual([]);
  });
});

describe('backfillInputSchema: symbols look like Databento symbols', () => {
  it.each([
    'ESZ5', // raw outright
    'ZLN26',
    'ES.FUT', // parent
    'ES.OPT',
    'ZL.c.0', // continuous
    'CL.n.1',
    'ES.v.10',
    'ALL_SYMBOLS',
    'ESM4 C3550', // CME option (recorded definitions in ../shared/data/databento-options)
    'EW2F6 C7000',
    'ESH5-ESM5', // calendar spread
    'UD:1V: VT 0115955563', // CME user-defined spread
    '5482', // instrument_id
  ])('accepts %j', (symbol) => {
    expect(issues({ symbols: [symbol] })).toEqual([]);
  });

  it.each([
    ['SQL metacharacters', "ZL'; DROP TABLE bars; --"],
    ['a quote', 'ES"'],
    ['a path traversal', '../../etc/passwd'],
    ['a slash', 'ES/NQ'],
    ['a backslash', 'ES\\NQ'],
    ['dot dot inside', 'ES..FUT'],
    ['a leading dot', '.ES'],
    ['unicode letters', 'ZŁ.c.0'],
    ['a fullwidth letter', 'ＥＳＺ5'],
    ['a control character', 'ES\u0000'],
    ['a newline', 'ES\nNQ'],
    ['a tab', 'ESM4\tC3550'],
    ['a leading space', ' ESZ5'],
    ['a trailing space', 'ESZ5 '],
    ['a comma', 'ESZ5,NQZ5'],
    ['a glob', 'ES*'],
    ['71 characters', `A${'B'.repeat(70)}`],
  ])('rejects %s', (_label, symbol) => {
    const lines = issues({ symbols: ['ESZ5', symbol] });
    expect(lines.some((l) => l.startsWith('symbols.1: ')), lines.join('\n')).toBe(true);
  });

  it('rejects a symbol or a schema given twice', () => {
    expect(issues({ symbols: ['ESZ5', 'NQZ5', 'ESZ5'] })).toEqual(['symbols: ESZ5 is listed twice']);
    expect(issues({ schemas: ['ohlcv-1d', 'ohlcv-1d'] })).toEqual(['schemas: ohlcv-1d is listed twice']);
  });

  it('the dataset is a Databento dataset code', () => {
    expect(issues({ dataset: 'XNAS.ITCH' })).toEqual([]);
    for (const dataset of ['../GLBX.MDP3', 'GLBX.MDP3/x', 'glbx.mdp3', 'GLBX', `GLBX.${'M'.repeat(40)}`]) {
      expect(issues({ dataset }), dataset).toHaveLength(1);
    }
  });
});

describe('backfillInputSchema: durations are durations', () => {
  it('accepts what Temporal timers take and rejects what they would throw on in the workflow', () => {
    expect(issues({ approvalTimeout: '90 minutes', quarantineReviewTimeout: '0s', hostAffinityTimeout: '1h' })).toEqual([]);
    expect(issues({ approvalTimeout: '7 dayz' })).toEqual([`approvalTimeout: "7 dayz" is not a duration: use e.g. '7 days', '90 minutes', '1h', '0s'`]);
    expect(issues({ hostAffinityTimeout: '-1s' })).toHaveLength(1);
    expect(issues({ quarantineReviewTimeout: 'soon' })).toHaveLength(1);
  });
});

describe('fnv1a64Hex (the id digest)', () => {
  it('matches the published FNV-1a 64 test vectors', () => {
    expect(fnv1a64Hex('')).toBe('cbf29ce484222325');
    expect(fnv1a64Hex('a')).toBe('af63dc4c8601ec8c');
    expect(fnv1a64Hex('foobar')).toBe('85944171f73967e8');
  });
});

describe('backfillWorkflowId', () => {
  const params = (symbols: string[]) => backfillInputSchema.parse({ ...base, symbols, stypeIn: 'raw_symbol' });
  const manySymbols = (n: number, prefix = 'S') => Array.from({ length: n }, (_, i) => `${prefix}${i.toString(36).toUpperCase()}`);

  it('a few symbols: the readable business key, schemas and symbols sorted', () => {
    expect(backfillWorkflowId(params(['ZL.c.0', 'CL.n.1']))).toBe('backfill/GLBX.MDP3/ohlcv-1d/CL.n.1,ZL.c.0/2025-01-01/2025-02-01');
  });

  it('300 short symbols: a hashed id far below the 1,000-byte Temporal limit, the same for any order', () => {
    const symbols = manySymbols(300);
    const id = backfillWorkflowId(params(symbols));
    expect(new TextEncoder().encode(id).length).toBeLessThanOrEqual(400);
    expect(id).toMatch(/^backfill\/GLBX\.MDP3\/ohlcv-1d\/300 symbols fnv1a64:[0-9a-f]{16}\/2025-01-01\/2025-02-01$/);
    expect(backfillWorkflowId(params([...symbols].reverse()))).toBe(id);
  });

  it('the largest input the schema allows still fits', () => {
    const symbols = manySymbols(2000, 'X'.repeat(60));
    const p = backfillInputSchema.parse({ ...base, symbols, schemas: ['ohlcv-1s', 'ohlcv-1m', 'ohlcv-1h', 'ohlcv-1d'], start: '1', end: '9223372036854775807' });
    expect(new TextEncoder().encode(backfillWorkflowId(p)).length).toBeLessThanOrEqual(400);
  });

  it('different symbol lists get different hashed ids', () => {
    const a = manySymbols(300);
    const b = [...a.slice(0, 299), 'ZZZZ'];
    const ids = new Set([a, b, a.slice(1), [...a, 'ZZZZ']].map((s) => backfillWorkflowId(params(s))));
    expect(ids.size).toBe(4);
  });

  it('the id just under the threshold stays readable; one symbol more switches to the hash', () => {
    let n = 1;
    while (!backfillWorkflowId(params(manySymbols(n + 1))).includes('fnv1a64:')) n++;
    const readable = backfillWorkflowId(params(manySymbols(n)));
    expect(readable).not.toContain('fnv1a64:');
    expect(readable.length).toBeLessThanOrEqual(400);
  });
});

describe('usdAmountTextSchema: --max-cost is a plain decimal number of dollars', () => {
  it.each([
    ['5', 5],
    ['0', 0],
    ['0.25', 0.25],
    ['0.000001', 0.000001],
    ['1000000', 1_000_000],
    [' 12.5 ', 12.5],
  ])('accepts %j', (text, usd) => {
    expect(usdAmountTextSchema.parse(text)).toBe(usd);
  });

  it.each(['', ' ', '0x10', '0b11', '0o17', '1e3', 'Infinity', 'NaN', '-1', '+5', '5.', '.5', '€5', '5 USD', '1,000', '5..0', '1'.repeat(400)])('rejects %j', (text) => {
    expect(usdAmountTextSchema.safeParse(text).success).toBe(false);
  });
});
