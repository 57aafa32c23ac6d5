import type { Command } from 'commander';
import { approveSpend, connectPipelineClient, parseUsdOption, rejectSpend } from '../../client/pipeline-client';
import { parseEnv } from '../../config/env';

export function register(program: Command): void {
  program
    .command('approve <workflowId>')
    .description('Approve the quoted spend of a backfill waiting at its cost gate')
    .option('--max-cost <usd>', 'raise the budget to this amount (must cover the quote)')
    .action(async (workflowId: string, opts) => {
      const maxCostUsd = opts.maxCost === undefined ? undefined : parseUsdOption('--max-cost', opts.maxCost);
      const pc = await connectPipelineClient(parseEnv());
      try {
        const result = await approveSpend(pc, workflowId, { maxCostUsd });
        process.stdout.write(`${JSON.stringify({ workflowId, ...result })}\n`);
      } finally {
        await pc.close();
      }
    });
  program
    .command('reject <workflowId>')
    .description('Reject the quoted spend: the backfill fails with BudgetNotApproved and downloads nothing')
    .option('--reason <text>', 'why')
    .action(async (workflowId: string, opts) => {
      const pc = await connectPipelineClient(parseEnv());
      try {
        const result = await rejectSpend(pc, workflowId, opts.reason);
        process.stdout.write(`${JSON.stringify({ workflowId, ...result })}\n`);
      } finally {
        await pc.close();
      }
    });
}
