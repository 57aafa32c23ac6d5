import { ApplicationFailure } from '@temporalio/common';
import type { RangeRequest } from '../../chunk-store/download-chunk';
import type { DatabentoPort } from '../deps';

/**
 * Prices one request exactly as get_range will be called. A quote that is not a finite number ≥ 0 fails for
 * good: the cost gate never spends on an unknown price.
 */
export async function quoteRange(
  databento: DatabentoPort,
  q: RangeRequest,
  label: string,
): Promise<{ costUsd: number; records: number; billableBytes: number }> {
  const [costUsd, records, billableBytes] = await Promise.all([databento.getCost(q), databento.getRecordCount(q), databento.getBillableSize(q)]);
  if (!Number.isFinite(costUsd) || costUsd < 0) {
    throw ApplicationFailure.nonRetryable(`get_cost returned ${costUsd} for ${label}: refusing to spend on an unknown price`, 'InvalidCostQuote');
  }
  return { costUsd, records, billableBytes };
}
