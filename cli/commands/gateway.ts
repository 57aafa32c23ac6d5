import type { Command } from 'commander';
import { z } from 'zod';
import { startGateway } from '../../gateway/start-gateway';

const optionsSchema = z.object({
  data: z.string().min(1),
  port: z.coerce.number().int().min(0).max(65535).default(0),
  key: z.string().min(1).optional(),
  fredKey: z.string().min(1).optional(),
});

/** `gateway --data <dir> [--port N] [--key K] [--fred-key K]`: the local Databento-compatible gateway. */
export function register(program: Command): void {
  program
    .command('gateway')
    .description('Start the local Databento-compatible gateway over the real recordings; prints "listening http://127.0.0.1:PORT"')
    .requiredOption('--data <dir>', 'folder of recorded market data (the shared data folder)')
    .option('--port <n>', 'port to listen on (0 = a free port)', '0')
    .option('--key <key>', 'API key to accept (default: env DATABENTO_API_KEY, else the built-in test key)')
    .option('--fred-key <key>', 'FRED api_key to accept (default: env FRED_API_KEY, else the built-in FRED test key)')
    .action(async (raw: Record<string, unknown>) => {
      const opts = optionsSchema.parse(raw);
      const gateway = await startGateway({
        dataDir: opts.data,
        port: opts.port,
        apiKey: opts.key ?? process.env.DATABENTO_API_KEY,
        fredApiKey: opts.fredKey ?? process.env.FRED_API_KEY,
      });
      process.stdout.write(`listening ${gateway.url}\n`);
      await new Promise<void>((resolve) => {
        const stop = () => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          resolve();
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
      await gateway.close();
    });
}
