import { existsSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../../config/env';

/**
 * The folder of real recorded market data (`MARKET_DATA_DIR`, default `../shared/data`).
 * Throws when it is missing: tests never skip silently for lack of data.
 */
export function marketDataDir(): string {
  const dir = path.resolve(repoRoot, process.env.MARKET_DATA_DIR ?? '../shared/data');
  if (!existsSync(path.join(dir, 'PROVENANCE.md'))) {
    throw new Error(
      `real market data not found at ${dir}: set MARKET_DATA_DIR to the shared data folder (with PROVENANCE.md)`,
    );
  }
  return dir;
}

export function dataFile(...parts: string[]): string {
  const file = path.join(marketDataDir(), ...parts);
  if (!existsSync(file)) throw new Error(`recorded data file missing: ${file}`);
  return file;
}

export { repoRoot };
