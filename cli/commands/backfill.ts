import type { Command } from 'commander';
import { type PipelineClient, backfillStatus, connectPipelineClient, parseBackfillInput, parseUsdOption, startBackfill } from '../../client/pipeline-client';
import { parseEnv } from '../../config/env';
import type { BackfillParams } from '../../domain/series';
import { renderProgressLine } from '../render-progress';

/** Every check of the input, before anything connects or starts: a bad value exits at once, naming the field. */
function backfillParamsFromOptions(opts: Record<string, unknown>): BackfillParams {
  const list = (v: unknown) => String(v).split(',').map((s: string) => s.trim());
  return parseBackfillInput({
    dataset: opts.dataset as string,
    schemas: list(opts.schema) as never,
    symbols: list(opts.symbols),
    stypeIn: opts.stypeIn as never,
    start: opts.start as string,
    end: opts.end as string,
    maxCostUsd: parseUsdOption('--max-cost', opts.maxCost as string),
    approvalTimeout: opts.approvalTimeout as string,
    buildFeatures: opts.features as boolean,
  });
}

/** Waits for the result, printing live progress on a terminal, then the JSON summary. */
async function waitAndPrint(pc: PipelineClient, handle: Awaited<ReturnType<typeof startBackfill>>['handle']): Promise<void> {
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
}

export function register(program: Command): void {
  program
    .command('backfill')
    .description('Start (or attach to) a backfill workflow: quote, cost gate, chunked download, validate, load, features, forecast')
    .requiredOption('--dataset <dataset>', 'Databento dataset', 'GLBX.MDP3')
    .requiredOption('--schema <schemas>', 'OHLCV schema(s), comma-separated (ohlcv-1s|ohlcv-1m|ohlcv-1h|ohlcv-1d)')
    .requiredOption('--symbols <symbols>', 'symbols, comma-separated (e.g. ZL.c.0 or NQ.FUT)')
    .option('--stype-in <stype>', 'input symbology: raw_symbol|parent|continuous|instrument_id', 'raw_symbol')
    .requiredOption('--start <time>', 'inclusive start (ISO 8601 date/datetime, naive = UTC, or integer ns)')
    .requiredOption('--end <time>', 'exclusive end (ISO 8601 date/datetime, naive = UTC, or integer ns)')
    .option('--max-cost <usd>', 'spend allowed without approval, USD as a plain decimal (5, 0.25)', '0')
    .option('--approval-timeout <duration>', 'how long to wait for approval', '7 days')
    .option('--no-features', 'skip buildFeatures/publishForecast at the end')
    .option('--wait', 'wait for the result and print a JSON summary (live progress on a terminal)')
    .action(async (opts) => {
      const params = backfillParamsFromOptions(opts);
      const env = parseEnv();
      const pc = await connectPipelineClient(env);
      try {
        const { handle, attached } = await startBackfill(pc, params);
        process.stderr.write(`${attached ? 'attached to running' : 'started'} ${handle.workflowId}\n`);
        if (!opts.wait) {
          process.stdout.write(`${JSON.stringify({ workflowId: handle.workflowId, attached })}\n`);
          return;
        }
        await waitAndPrint(pc, handle);
      } finally {
        await pc.close();
      }
    });
}
