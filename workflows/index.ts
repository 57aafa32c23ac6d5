// the only path handed to the worker's workflowsPath
export { backfill } from './backfill';
export { ingestSeries } from './ingest-series';
export { dailyIngest } from './daily-ingest';
export { validateRecent } from './validate-recent';
