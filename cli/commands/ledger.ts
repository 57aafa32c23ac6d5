import type { Command } from 'commander';
import { createWarehouseFromEnv } from '../../warehouse/warehouse';
import { parseEnv } from '../../config/env';
import { renderChunkBar } from '../render-progress';

export function register(program: Command): void {
  program
    .command('ledger')
    .description('Show ops.ingest_ledger: one row of chunk states per series (█ loaded, Q quarantined, X failed, ▒ downloaded)')
    .option('--symbol <symbol>', 'only series of this symbol')
    .option('--json', 'print the ledger rows as JSON')
    .action(async (opts) => {
      const warehouse = await createWarehouseFromEnv(parseEnv());
      try {
        await warehouse.ensureSchema();
        const rows = await warehouse.ledger(opts.symbol ? { symbol: opts.symbol } : undefined);
        if (opts.json) {
          process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
          return;
        }
        const bySeries = new Map<string, typeof rows>();
        for (const r of rows) bySeries.set(r.series, [...(bySeries.get(r.series) ?? []), r]);
        if (!bySeries.size) process.stdout.write('no chunks in the ledger yet\n');
        for (const [series, list] of [...bySeries.entries()].sort()) {
          list.sort((a, b) => a.start.localeCompare(b.start));
          const loadedRows = list.reduce((s, r) => s + (r.status === 'loaded' || r.status === 'accepted' ? (r.rows ?? 0) : 0), 0);
          const cost = list.reduce((s, r) => s + (r.cost_usd ?? 0), 0);
          process.stdout.write(
            `${series.padEnd(36)} ${renderChunkBar(list.map((r) => r.status))}  ${list[0].chunk_id}..${list[list.length - 1].chunk_id}  ${loadedRows} rows  $${cost.toFixed(4)}\n`,
          );
        }
      } finally {
        await warehouse.close();
      }
    });
}
