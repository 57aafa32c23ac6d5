import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { ChunkProgress } from '../domain/series';
import type { PipelineStageValue } from '../domain/search-attributes';

export interface ApproveSpendInput {
  /** raise the budget to this amount (USD); must cover the quoted cost. Defaults to the quoted cost. */
  maxCostUsd?: number;
  approvedBy?: string;
}

export interface ApproveSpendResult {
  approvedCostUsd: number;
  quotedCostUsd: number;
}

export interface BackfillProgress {
  stage: PipelineStageValue;
  quotedCostUsd: number | null;
  budgetUsd: number;
  series: { id: string; workflowId: string; status: 'pending' | 'running' | 'completed' | 'failed'; rowsLoaded?: number; error?: string }[];
  detail: string;
}

export interface SeriesProgress {
  series: string;
  chunks: ChunkProgress[];
  rowsLoaded: number;
  bytesDownloaded: number;
  costUsd: number;
}

/** Approves spending above the budget while a backfill waits at its cost gate. */
export const approveSpendUpdate = defineUpdate<ApproveSpendResult, [ApproveSpendInput]>('approveSpend');
/** Rejects the quoted spend: the backfill fails with BudgetNotApproved and downloads nothing. */
export const rejectSpendUpdate = defineUpdate<{ rejected: true }, [{ reason?: string }]>('rejectSpend');
export const backfillProgressQuery = defineQuery<BackfillProgress>('progress');
export const seriesProgressQuery = defineQuery<SeriesProgress>('progress');

export interface ResolveQuarantineInput {
  chunkId: string;
  /** `redownload`: discard the stored file and fetch it again; `accept`: load it as is (recorded as accepted) */
  action: 'redownload' | 'accept';
  reason?: string;
}

/** An operator's decision on a quarantined chunk, while ingestSeries waits for review. */
export const resolveQuarantineUpdate = defineUpdate<{ chunkId: string; action: string }, [ResolveQuarantineInput]>('resolveQuarantine');

/** One series of a daily run, as its progress query and result report it. */
export interface DailySeriesResult {
  series: string;
  status: 'up-to-date' | 'no-history' | 'loaded' | 'failed';
  from: string | null;
  to: string | null;
  rowsLoaded: number;
  costUsd: number;
  chunks: string[];
  quarantined: string[];
  detail: string;
}

export interface DailyProgress {
  stage: string;
  detail: string;
  series: DailySeriesResult[];
}

export const dailyProgressQuery = defineQuery<DailyProgress>('progress');
