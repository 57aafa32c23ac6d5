import type { Command } from 'commander';
import { connectPipelineClient } from '../../client/pipeline-client';
import { parseEnv } from '../../config/env';
import { resolveQuarantineUpdate } from '../../workflows/messages';

export function register(program: Command): void {
  program
    .command('quarantine <seriesWorkflowId> <chunkId>')
    .description('Decide on a quarantined chunk of a series run waiting for review (ids from `status`)')
    .option('--redownload', 'discard the stored file and download the chunk again')
    .option('--accept', 'load the file as it is; recorded as accepted in the ledger')
    .option('--reason <text>', 'why (kept in the ledger)')
    .action(async (workflowId: string, chunkId: string, opts) => {
      if (Boolean(opts.redownload) === Boolean(opts.accept)) throw new Error('give exactly one of --redownload or --accept');
      const pc = await connectPipelineClient(parseEnv());
      try {
        const result = await pc.client.workflow
          .getHandle(workflowId)
          .executeUpdate(resolveQuarantineUpdate, { args: [{ chunkId, action: opts.accept ? 'accept' : 'redownload', reason: opts.reason }] });
        process.stdout.write(`${JSON.stringify({ workflowId, ...result })}\n`);
      } finally {
        await pc.close();
      }
    });
}
