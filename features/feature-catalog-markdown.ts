import { FEATURE_CATALOG, LONGEST_LOOKBACK_BARS } from './feature-catalog';

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** `docs/feature-catalog.md`, generated from FEATURE_CATALOG (checked by test/features/feature-catalog-doc.test.ts). */
export function renderFeatureCatalogMarkdown(): string {
  const lines = [
    '# Feature catalogue: `training.daily_ml_matrix`',
    '',
    '<!-- generated from features/feature-catalog.ts; regenerate with UPDATE_FEATURE_CATALOG=1 npx vitest run test/features/feature-catalog-doc.test.ts -->',
    '',
    `One row per ZL.c.0 trading date (a date with a ZL.c.0 ohlcv-1d bar), from the first bar with ${LONGEST_LOOKBACK_BARS} bars before it, so every 60-bar window is full.`,
    'A row dated D describes the state at D\'s close and uses only bars dated ≤ D and FRED observations dated before D (NFCI: before D − 4 days, its publication lag).',
    'Returns are natural-log close-to-close returns. ZL.c.0 changes instrument_id at each roll; no return, volatility or target ever spans two instrument_ids.',
    'Only the `target_*` columns look forward; they are the labels, never model inputs.',
    '',
    '| column | kind | formula | inputs | lag |',
    '|---|---|---|---|---|',
    ...FEATURE_CATALOG.map((e) => `| \`${e.column}\` | ${e.kind} | ${cell(e.formula)} | ${cell(e.inputs.join(', '))} | ${cell(e.lag)} |`),
    '',
  ];
  return lines.join('\n');
}
