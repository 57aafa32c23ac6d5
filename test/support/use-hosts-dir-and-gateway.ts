import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { type Gateway, startGateway } from '../../gateway/start-gateway';
import { marketDataDir } from './market-data-dir';

/** A temp dir for hosts' chunk stores and DuckDB file, and a gateway over the recorded data, for the enclosing describe. */
export function useHostsDirAndGateway(prefix: string): { dir: string; gateway: Gateway } {
  const fixture = {} as { dir: string; gateway: Gateway };
  beforeAll(async () => {
    fixture.dir = mkdtempSync(path.join(tmpdir(), prefix));
    fixture.gateway = await startGateway({ dataDir: marketDataDir(), port: 0 });
  });
  afterAll(async () => {
    await fixture.gateway?.close();
    if (fixture.dir) rmSync(fixture.dir, { recursive: true, force: true });
  });
  return fixture;
}
