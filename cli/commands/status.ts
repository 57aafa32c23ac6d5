import type { Command } from 'commander';
import { backfillStatus, connectPipelineClient } from '../../client/pipeline-client';
import { parseEnv } from '../../config/env';

export function register(program: Command): void {
  program
    .command('status <workflowId>')
    .description('Print a backfill run: its stage, cost gate and per-chunk progress of every series (JSON)')
    .action(async (workflowId: string) => {
      const pc = await connectPipelineClient(parseEnv());
      try {
        process.stdout.write(`${JSON.stringify(await backfillStatus(pc, workflowId), null, 2)}\n`);
      } finally {
        await pc.close();
      }
    });
}
