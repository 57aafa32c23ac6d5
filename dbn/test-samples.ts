import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { marketDataDir } from '../test/support/market-data-dir';

/** One row of PROVENANCE.md's per-file table of DBN samples. */
export interface SampleRow {
  file: string;
  version: number;
  dataset: string;
  schema: string;
  records: number;
}

/** The DBN sample table in PROVENANCE.md (the source of truth for record counts). */
export function provenanceSamples(): SampleRow[] {
  const text = readFileSync(path.join(marketDataDir(), 'PROVENANCE.md'), 'utf8');
  const rows: SampleRow[] = [];
  for (const line of text.split('\n')) {
    const m = /^\| ((?:databento-python|dbn|nautilus_trader)\/\S+) \| v(\d) \| (\S+) \| (\S+) \| [^|]+ \| (\d+) \|/.exec(line);
    if (m) rows.push({ file: m[1], version: Number(m[2]), dataset: m[3], schema: m[4], records: Number(m[5]) });
  }
  return rows;
}

export function samplePath(file: string): string {
  return path.join(marketDataDir(), 'databento-samples', file);
}

/** Every .dbn / .dbn.zst file under databento-samples. */
export function allSampleFiles(): string[] {
  const root = path.join(marketDataDir(), 'databento-samples');
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.dbn(\.zst)?$/.test(e.name)) out.push(path.relative(root, p));
    }
  };
  walk(root);
  return out.sort();
}
