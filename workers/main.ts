import { parseEnv } from '../config/env';
import { createLogger } from '../logging/logger';
import { createPipelineWorkers } from './create-workers';

/** Worker process entry: `npm run worker`. Stops cleanly on SIGINT/SIGTERM. */
async function main(): Promise<void> {
  const env = parseEnv();
  const logger = createLogger({ level: env.LOG_LEVEL, name: 'worker' });
  const workers = await createPipelineWorkers({ env, logger, hostId: process.env.WORKER_HOST_ID });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => workers.shutdown());
  try {
    await workers.run();
  } finally {
    await workers.close();
  }
}

main().catch((err) => {
  process.stderr.write(`worker failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
