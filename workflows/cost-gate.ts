import { ApplicationFailure, condition, setHandler } from '@temporalio/workflow';
import type { PipelineStageValue } from '../domain/search-attributes';
import { approveSpendUpdate, rejectSpendUpdate } from './messages';

type Decision = { approved: true; budgetUsd: number } | { approved: false; reason: string };

export interface CostGateOptions {
  budgetUsd: number;
  /** how long to wait for approveSpend / rejectSpend; null: never wait for a person (scheduled runs), fail at once */
  approvalTimeout: string | null;
  /** the run's current stage, for the message an update gets when nothing is waiting for it */
  stage: () => PipelineStageValue;
  setStage: (stage: PipelineStageValue, detail: string) => void;
}

const usd = (x: number) => `USD ${x.toFixed(6)}`;

/**
 * Nothing is paid for above the budget without a decision. A quote over the budget waits for `approveSpend` (which
 * may raise the budget) or `rejectSpend`; the first decision wins, and a second is refused. No decision, a rejection,
 * or a run that may not wait fails with BudgetNotApproved before any download. (No "$" in current details: the UI
 * renders them as Markdown with math, where "$…$" is a formula.)
 */
export class CostGate {
  quotedUsd: number | null = null;
  budgetUsd: number;
  private decision: Decision | null = null;

  constructor(private readonly options: CostGateOptions) {
    this.budgetUsd = options.budgetUsd;
    if (options.approvalTimeout !== null) this.handleDecisions();
  }

  /** Passes when the quote is within the budget or approved; otherwise fails the run with BudgetNotApproved. */
  async check(quotedUsd: number): Promise<'within-budget' | 'approved'> {
    this.quotedUsd = quotedUsd;
    if (quotedUsd <= this.budgetUsd) return 'within-budget';
    const { approvalTimeout, setStage } = this.options;
    const over = `cost ${usd(quotedUsd)} exceeds budget ${usd(this.budgetUsd)}`;
    if (approvalTimeout === null) {
      setStage('rejected', `${over}: a scheduled run does not wait for approval; run an approved backfill for the gap`);
      throw ApplicationFailure.nonRetryable(`${over} and a scheduled run does not wait for approval; nothing was downloaded`, 'BudgetNotApproved');
    }
    setStage('awaiting_approval', `${over}: send approveSpend or rejectSpend`);
    const decided = await condition(() => this.decision !== null, approvalTimeout);
    const d = this.decision as Decision | null;
    if (decided && d?.approved) return 'approved';
    const why = d && !d.approved ? d.reason : `no decision within ${approvalTimeout}`;
    setStage('rejected', `spend of ${usd(quotedUsd)} not approved: ${why}`);
    throw ApplicationFailure.nonRetryable(`quoted ${over} and was not approved (${why})`, 'BudgetNotApproved');
  }

  private handleDecisions(): void {
    const { stage } = this.options;
    const waiting = (what: string) => {
      // the decision first: an approval moves the run on at once, and a second decision must hear why it is refused
      if (this.decision) throw new Error(`the spend was already ${this.decision.approved ? 'approved' : 'rejected'}; the first decision stands`);
      if (stage() !== 'awaiting_approval') throw new Error(`nothing to ${what}: the run is ${stage()}`);
    };
    setHandler(
      approveSpendUpdate,
      (input) => {
        this.budgetUsd = input?.maxCostUsd ?? this.quotedUsd ?? this.budgetUsd;
        this.decision = { approved: true, budgetUsd: this.budgetUsd };
        return { approvedCostUsd: this.budgetUsd, quotedCostUsd: this.quotedUsd ?? 0 };
      },
      {
        validator: (input) => {
          waiting('approve');
          const maxCostUsd = input?.maxCostUsd;
          if (maxCostUsd !== undefined && (!Number.isFinite(maxCostUsd) || maxCostUsd < (this.quotedUsd ?? 0))) {
            throw new Error(`maxCostUsd ${maxCostUsd} does not cover the quoted ${usd(this.quotedUsd ?? 0)}`);
          }
        },
        description: 'Approve the quoted spend (optionally raising the budget to maxCostUsd)',
      },
    );
    setHandler(
      rejectSpendUpdate,
      (input) => {
        this.decision = { approved: false, reason: input?.reason ?? 'rejected by operator' };
        return { rejected: true as const };
      },
      { validator: (_input) => waiting('reject'), description: 'Reject the quoted spend; the run fails with BudgetNotApproved' },
    );
  }
}
