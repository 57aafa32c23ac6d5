import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { type Command, Option } from 'commander';
import pino from 'pino';
import { parseEnv } from '../../config/env';
import { HistoricalClient } from '../../databento';
import type { GetRangeQuery, JobState, RangeQuery } from '../../databento';
import { createLogger } from '../../logging/logger';

/**
 * `databento <method>`: thin, scriptable access to the Historical client. Key from DATABENTO_API_KEY,
 * base URL from DATABENTO_BASE_URL. JSON on stdout; logs and errors (with their code) on stderr.
 */
export function register(program: Command): void {
  const db = program.command('databento').description('Call the Databento Historical API (or the local gateway) directly');
  registerMetadataCommands(db);
  registerDataCommands(db);
  registerBatchCommands(db);
}

/** metadata.*: datasets, schemas, publishers, ranges, conditions, prices, cost, record count, billable size. */
function registerMetadataCommands(db: Command): void {
  db.command('list-datasets')
    .description('metadata.list_datasets')
    .option('--start-date <YYYY-MM-DD>')
    .option('--end-date <YYYY-MM-DD>')
    .action(async (o) => run((c) => c.metadata.listDatasets({ startDate: o.startDate, endDate: o.endDate })));

  db.command('list-schemas')
    .description('metadata.list_schemas')
    .requiredOption('--dataset <code>')
    .action(async (o) => run((c) => c.metadata.listSchemas({ dataset: o.dataset })));

  db.command('list-publishers')
    .description('metadata.list_publishers')
    .action(async () => run((c) => c.metadata.listPublishers()));

  db.command('dataset-range')
    .description('metadata.get_dataset_range')
    .requiredOption('--dataset <code>')
    .action(async (o) => run((c) => c.metadata.getDatasetRange({ dataset: o.dataset })));

  db.command('dataset-condition')
    .description('metadata.get_dataset_condition')
    .requiredOption('--dataset <code>')
    .option('--start-date <YYYY-MM-DD>')
    .option('--end-date <YYYY-MM-DD>')
    .action(async (o) => run((c) => c.metadata.getDatasetCondition({ dataset: o.dataset, startDate: o.startDate, endDate: o.endDate })));

  db.command('unit-prices')
    .description('metadata.list_unit_prices')
    .requiredOption('--dataset <code>')
    .action(async (o) => run((c) => c.metadata.listUnitPrices({ dataset: o.dataset })));

  rangeOptions(db.command('get-cost').description('metadata.get_cost: USD for this query')).action(async (o) =>
    run((c) => c.metadata.getCost(rangeQuery(o))),
  );
  rangeOptions(db.command('get-record-count').description('metadata.get_record_count')).action(async (o) =>
    run((c) => c.metadata.getRecordCount(rangeQuery(o))),
  );
  rangeOptions(db.command('get-billable-size').description('metadata.get_billable_size: uncompressed DBN bytes')).action(async (o) =>
    run((c) => c.metadata.getBillableSize(rangeQuery(o))),
  );
}

/** timeseries.get_range and symbology.resolve. */
function registerDataCommands(db: Command): void {
  rangeOptions(db.command('get-range').description('timeseries.get_range streamed to a file (BILLED per call); prints a JSON summary'))
    .requiredOption('--out <file>', 'where to write the body exactly as sent')
    .addOption(new Option('--encoding <e>').choices(['dbn', 'csv', 'json']).default('dbn'))
    .addOption(new Option('--compression <c>').choices(['zstd', 'none']).default('zstd'))
    .option('--pretty-px', 'csv/json: prices as decimal text')
    .option('--pretty-ts', 'csv/json: ISO timestamps')
    .option('--map-symbols', 'csv/json: add a symbol column')
    .action(async (o) =>
      run(async (c) => {
        const q: GetRangeQuery = {
          ...rangeQuery(o),
          encoding: o.encoding,
          compression: o.compression,
          prettyPx: o.prettyPx,
          prettyTs: o.prettyTs,
          mapSymbols: o.mapSymbols,
        };
        await mkdir(path.dirname(path.resolve(o.out)), { recursive: true });
        return c.timeseries.getRangeToFile(q, path.resolve(o.out));
      }),
    );

  db.command('resolve')
    .description('symbology.resolve')
    .requiredOption('--dataset <code>')
    .requiredOption('--symbols <list>', 'comma-separated')
    .requiredOption('--stype-in <stype>')
    .requiredOption('--stype-out <stype>')
    .requiredOption('--start-date <YYYY-MM-DD>')
    .option('--end-date <YYYY-MM-DD>')
    .action(async (o) =>
      run((c) =>
        c.symbology.resolve({
          dataset: o.dataset,
          symbols: o.symbols,
          stypeIn: o.stypeIn,
          stypeOut: o.stypeOut,
          startDate: o.startDate,
          endDate: o.endDate,
        }),
      ),
    );
}

/** batch.*: submit, list jobs, list files, download. */
function registerBatchCommands(db: Command): void {
  rangeOptions(db.command('batch-submit').description('batch.submit_job (BILLED once per job)'))
    .addOption(new Option('--encoding <e>').choices(['dbn', 'csv', 'json']).default('dbn'))
    .addOption(new Option('--compression <c>').choices(['zstd', 'none']).default('zstd'))
    .addOption(new Option('--split-duration <d>').choices(['day', 'week', 'month', 'year', 'none']).default('day'))
    .option('--pretty-px')
    .option('--pretty-ts')
    .option('--map-symbols')
    .action(async (o) =>
      run((c) =>
        c.batch.submitJob({
          ...rangeQuery(o),
          end: o.end,
          encoding: o.encoding,
          compression: o.compression,
          splitDuration: o.splitDuration,
          prettyPx: Boolean(o.prettyPx),
          prettyTs: Boolean(o.prettyTs),
          mapSymbols: Boolean(o.mapSymbols),
        }),
      ),
    );

  db.command('batch-list')
    .description('batch.list_jobs')
    .option('--states <list>', 'comma-separated: queued,processing,done,expired')
    .option('--since <time>', 'ISO time or integer ns')
    .action(async (o) =>
      run((c) => c.batch.listJobs({ states: o.states ? (String(o.states).split(',') as JobState[]) : undefined, since: o.since })),
    );

  db.command('batch-files <jobId>')
    .description('batch.list_files')
    .action(async (jobId: string) => run((c) => c.batch.listFiles(jobId)));

  db.command('batch-download <jobId>')
    .description('download every file of a job (resumable, sha256-verified); prints one summary per file')
    .requiredOption('--out <dir>')
    .action(async (jobId: string, o) =>
      run(async (c) => {
        const dir = path.resolve(o.out);
        await mkdir(dir, { recursive: true });
        const files = await c.batch.listFiles(jobId);
        const results = [];
        for (const f of files) results.push(await c.batch.downloadFile(f, path.join(dir, f.filename)));
        return results;
      }),
    );
}

function rangeOptions(cmd: Command): Command {
  return cmd
    .requiredOption('--dataset <code>', 'e.g. GLBX.MDP3')
    .requiredOption('--schema <schema>', 'e.g. ohlcv-1h')
    .requiredOption('--symbols <list>', 'comma-separated, e.g. NQ.FUT or ESH1,ESM1')
    .requiredOption('--stype-in <stype>', 'raw_symbol | parent | continuous | instrument_id')
    .option('--stype-out <stype>', 'default instrument_id')
    .requiredOption('--start <time>', 'ISO 8601 or integer ns, inclusive')
    .option('--end <time>', 'ISO 8601 or integer ns, exclusive')
    .option('--limit <n>', 'cap on records', (v) => Number(v));
}

interface RangeOpts {
  dataset: string;
  schema: RangeQuery['schema'];
  symbols: string;
  stypeIn: NonNullable<RangeQuery['stypeIn']>;
  stypeOut?: NonNullable<RangeQuery['stypeOut']>;
  start: string;
  end?: string;
  limit?: number;
}

function rangeQuery(o: RangeOpts): RangeQuery {
  return { dataset: o.dataset, schema: o.schema, symbols: o.symbols, stypeIn: o.stypeIn, stypeOut: o.stypeOut, start: o.start, end: o.end, limit: o.limit };
}

/** Builds the client from env, runs one call, prints its JSON, always closes the pool; errors propagate to main. */
async function run(call: (client: HistoricalClient) => Promise<unknown>): Promise<void> {
  const env = parseEnv();
  // logs go to stderr so stdout stays pure JSON
  const logger = createLogger({ level: env.LOG_LEVEL, pretty: false, destination: pino.destination(2) });
  const client = HistoricalClient.fromEnv(env, { logger });
  try {
    const out = await call(client);
    process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
  } finally {
    await client.close();
  }
}
