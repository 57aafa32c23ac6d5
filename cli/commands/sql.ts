import type { Command } from 'commander';
import { parseEnv } from '../../config/env';
import { createWarehouseFromEnv } from '../../warehouse';

/** `sql "<query>"`: runs one statement on the configured warehouse and prints the rows as JSON (exact strings for BIGINT/DECIMAL). */
export function register(program: Command): void {
  program
    .command('sql')
    .description('run a SQL statement on the configured warehouse (WAREHOUSE, DUCKDB_PATH, ...) and print JSON rows')
    .argument('<query>', 'SQL text; named parameters as @name')
    .option('-p, --param <name=value...>', 'named string parameter, repeatable')
    .option('--ndjson', 'one JSON object per line instead of a JSON array')
    .action(async (query: string, opts: { param?: string[]; ndjson?: boolean }) => {
      const params: Record<string, string> = {};
      for (const p of opts.param ?? []) {
        const eq = p.indexOf('=');
        if (eq <= 0) throw new Error(`--param wants name=value, got ${p}`);
        params[p.slice(0, eq)] = p.slice(eq + 1);
      }
      const wh = await createWarehouseFromEnv(parseEnv());
      try {
        const rows = await wh.query(query, params);
        process.stdout.write(opts.ndjson ? rows.map((r) => JSON.stringify(r)).join('\n') + (rows.length ? '\n' : '') : `${JSON.stringify(rows, null, 2)}\n`);
      } finally {
        await wh.close();
      }
    });
}
