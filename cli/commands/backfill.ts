import type { Command } from 'commander';
import { backfillStatus, connectPipelineClient, startBackfill } from '../../client/pipeline-client';
import { parseEnv } from '../../config/env';
import { renderProgressLine } from '../render-progress';

export function register(program: Command): void {
  program
    .command('backfill')
    .description('Start (or attach to) a backfill workflow: quote, cost gate, chunked download, validate, load, features, forecast')
    .requiredOption('--dataset <dataset>', 'Databento dataset', 'GLBX.MDP3')
    .requiredOption('--schema <schemas>', 'OHLCV schema(s), comma-separated (ohlcv-1s|ohlcv-1m|ohlcv-1h|ohlcv-1d)')
    .requiredOption('--symbols <symbols>', 'symbols, comma-separated (e.g. ZL.c.0 or NQ.FUT)')
    .option('--stype-in <stype>', 'input symbology: raw_symbol|parent|continuous|instrument_id', 'raw_symbol')
    .requiredOption('--start <time>', 'inclusive start (ISO 8601 or integer ns)')
    .requiredOption('--end <time>', 'exclusive end (ISO 8601 or integer ns)')
    .option('--max-cost <usd>', 'spend allowed without approval (USD)', '0')
    .option('--approval-timeout <duration>', 'how long to wait for approval', '7 days')
    .option('--no-features', 'skip buildFeatures/publishForecast at the end')
    .option('--wait', 'wait for the result and print a JSON summary (live progress on a terminal)')
    .action(async (opts) => {
      const env = parseEnv();
      const pc = await connectPipelineClient(env);
      try {
        const { handle, attached } = await startBackfill(pc, {
          dataset: opts.dataset,
          schemas: String(opts.schema).split(',').map((s: string) => s.trim()) as never,
          symbols: String(opts.symbols).split(',').map((s: string) => s.trim()),
          stypeIn: opts.stypeIn,
          start: opts.start,
          end: opts.end,
          maxCostUsd: Number(opts.maxCost),
          approvalTimeout: opts.approvalTimeout,
          buildFeatures: opts.features,
        });
        process.stderr.write(`${attached ? 'attached to running' : 'started'} ${handle.workflowId}\n`);
        if (!opts.wait) {
          process.stdout.write(`${JSON.stringify({ workflowId: handle.workflowId, attached })}\n`);
          return;
        }
        const tty = process.stderr.isTTY;
        const timer = tty
          ? setInterval(() => {
              backfillStatus(pc, handle.workflowId)
                .then((s) => process.stderr.write(`\r${renderProgressLine(s)}\x1b[K`))
                .catch(() => undefined);
            }, 1000)
          : null;
        try {
          const result = await handle.result();
          if (tty) process.stderr.write('\n');
          process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
        } finally {
          if (timer) clearInterval(timer);
        }
      } finally {
        await pc.close();
      }
    });
}
