import { z } from 'zod';

export const RULE_IDS = [
  'rtype-mismatch',
  'ts-outside-range',
  'ts-misaligned',
  'order-per-instrument',
  'duplicate-key',
  'price-undefined',
  'high-below-low',
  'open-outside-range',
  'close-outside-range',
  'volume-invalid',
  'symbol-unmapped',
  'return-outlier',
  'zero-volume',
  'gap-unusual',
] as const;
export type RuleId = (typeof RULE_IDS)[number];

export const ruleExampleSchema = z.object({
  /** row index in the chunk */
  index: z.number().int().nonnegative(),
  instrument_id: z.number().int().nonnegative(),
  /** `2020-12-28T00:00:00.000000000Z` */
  ts_event: z.string(),
  detail: z.string(),
});
export type RuleExample = z.infer<typeof ruleExampleSchema>;

export const ruleResultSchema = z.object({
  id: z.enum(RULE_IDS),
  severity: z.enum(['error', 'warning']),
  count: z.number().int().nonnegative(),
  examples: z.array(ruleExampleSchema).max(5),
  description: z.string(),
});
export type RuleResult = z.infer<typeof ruleResultSchema>;

/** JSON-serialisable (no bigint): timestamps are ISO strings. Every enabled rule is listed, fired or not. */
export const validationReportSchema = z.object({
  /** no error-severity rule fired */
  ok: z.boolean(),
  records: z.number().int().nonnegative(),
  schema: z.string(),
  /** the chunk's [start, end) as ISO strings */
  start: z.string(),
  end: z.string(),
  instruments: z.number().int().nonnegative(),
  rules: z.array(ruleResultSchema),
  summary: z.string(),
});
export type ValidationReport = z.infer<typeof validationReportSchema>;
