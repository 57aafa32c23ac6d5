import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../support/market-data-dir';

// docs/workflow-changes.md: one change at a time goes through patched → deprecatePatch → removed
describe('workflow patches', () => {
  it('has at most one live patched( call in workflows/', () => {
    const dir = path.join(repoRoot, 'workflows');
    const calls = readdirSync(dir)
      .filter((f) => f.endsWith('.ts'))
      .flatMap((f) => [...readFileSync(path.join(dir, f), 'utf8').matchAll(/\bpatched\(\s*['"]([^'"]+)/g)].map((m) => `${f}: ${m[1]}`));
    expect(calls.length, calls.join('\n')).toBeLessThanOrEqual(1);
  });
});
