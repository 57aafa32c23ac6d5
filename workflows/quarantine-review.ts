import { condition, setCurrentDetails, setHandler, upsertSearchAttributes } from '@temporalio/workflow';
import { msToNumber } from '@temporalio/common/lib/time';
import type { ChunkProgress } from '../domain/series';
import { PipelineStage } from '../domain/search-attributes';
import { type ResolveQuarantineInput, resolveQuarantineUpdate } from './messages';
import type { SeriesProgressTracker } from './series-progress';

export interface QuarantineActions {
  redownload: (chunk: ChunkProgress) => Promise<void>;
  accept: (chunk: ChunkProgress, reason: string | undefined) => Promise<void>;
}

/**
 * An operator's review of quarantined chunks: while the series waits, each `resolveQuarantine` update re-downloads
 * or accepts one chunk (each recorded in the ledger). Decisions are refused while the series is not waiting.
 */
export class QuarantineReview {
  private readonly decisions: ResolveQuarantineInput[] = [];
  private reviewing = false;

  constructor(
    private readonly id: string,
    private readonly progress: SeriesProgressTracker,
  ) {
    setHandler(
      resolveQuarantineUpdate,
      (decision) => {
        this.decisions.push(decision);
        return { chunkId: decision.chunkId, action: decision.action };
      },
      { validator: (decision) => this.validate(decision), description: 'Re-download or accept a quarantined chunk' },
    );
  }

  private validate(decision: ResolveQuarantineInput | undefined): void {
    if (!decision?.chunkId || !['redownload', 'accept'].includes(decision.action)) {
      throw new Error('give { "chunkId": "<chunk>", "action": "redownload" | "accept" }');
    }
    if (!this.reviewing) throw new Error(`${this.id} is not waiting for quarantine review`);
    if (this.progress.get(decision.chunkId)?.state !== 'quarantined') throw new Error(`chunk ${decision.chunkId} is not quarantined`);
    if (this.decisions.some((d) => d.chunkId === decision.chunkId)) throw new Error(`chunk ${decision.chunkId} already has a decision`);
  }

  /** Waits up to `timeout` for each decision while chunks stay quarantined; '0s' reports them without waiting. */
  async run(timeout: string, actions: QuarantineActions): Promise<void> {
    if (!this.progress.quarantined().length || msToNumber(timeout) <= 0) return;
    this.reviewing = true;
    upsertSearchAttributes([{ key: PipelineStage, value: 'awaiting_review' }]);
    for (let left = this.progress.quarantined(); left.length; left = this.progress.quarantined()) {
      setCurrentDetails(`${this.id}: ${left.map((c) => c.id).join(', ')} quarantined: send resolveQuarantine (redownload or accept)`);
      if (!(await condition(() => this.decisions.length > 0, timeout))) break;
      const decision = this.decisions.shift()!;
      const chunk = this.progress.get(decision.chunkId)!;
      if (decision.action === 'redownload') await actions.redownload(chunk);
      else await actions.accept(chunk, decision.reason);
    }
    this.reviewing = false;
    upsertSearchAttributes([{ key: PipelineStage, value: 'ingesting' }]);
  }
}
