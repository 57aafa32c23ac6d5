import type { Command } from 'commander';
import { backfillStatus, connectPipelineClient } from '../../client/pipeline-client';
import { parseEnv } from '../../config/env';

/** Exit code of `status` for a run that ended without completing (1 stays for errors of the command itself). */
export const RUN_DID_NOT_COMPLETE_EXIT = 2;

export function register(program: Command): void {
  program
    .command('status <workflowId>')
    .description(
      'Print a backfill run: its stage, cost gate and per-chunk progress of every series (JSON). A run that failed, was ' +
        `terminated, timed out or was cancelled also prints why (message, type, cause chain) and exits ${RUN_DID_NOT_COMPLETE_EXIT}`,
    )
    .action(async (workflowId: string) => {
      const pc = await connectPipelineClient(parseEnv());
      try {
        const status = await backfillStatus(pc, workflowId);
        process.stdout.write(`${JSON.stringify(status, null, 2)}\n`);
        if (status.failure) {
          const last = status.failure.lastStage ? ` (at stage ${status.failure.lastStage})` : '';
          process.stderr.write(`${workflowId} ${status.failure.status}${last}: ${status.failure.message}\n`);
          process.exitCode = RUN_DID_NOT_COMPLETE_EXIT;
        }
      } finally {
        await pc.close();
      }
    });
}
