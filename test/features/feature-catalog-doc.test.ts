import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FEATURE_CATALOG } from '../../features/feature-catalog';
import { renderFeatureCatalogMarkdown } from '../../features/feature-catalog-markdown';
import { dailyMlMatrixTable } from '../../features/feature-tables';
import { repoRoot } from '../support/market-data-dir';

const DOC = path.join(repoRoot, 'docs', 'feature-catalog.md');

describe('feature catalogue', () => {
  it('lists every matrix column exactly once, and the table spec has exactly those columns', () => {
    const cols = FEATURE_CATALOG.map((e) => e.column);
    expect(new Set(cols).size).toBe(cols.length);
    expect(dailyMlMatrixTable.columns.map((c) => c.name)).toEqual(cols);
    for (const e of FEATURE_CATALOG) expect(e.formula.length && e.inputs.length && e.lag.length).toBeTruthy();
  });

  it('docs/feature-catalog.md is the generated text (UPDATE_FEATURE_CATALOG=1 rewrites it)', () => {
    const text = renderFeatureCatalogMarkdown();
    if (process.env.UPDATE_FEATURE_CATALOG === '1') {
      mkdirSync(path.dirname(DOC), { recursive: true });
      writeFileSync(DOC, text);
    }
    expect(existsSync(DOC)).toBe(true);
    expect(readFileSync(DOC, 'utf8')).toBe(text);
  });
});
