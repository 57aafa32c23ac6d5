import { setCurrentDetails } from '@temporalio/workflow';
import type { ChunkProgress, ChunkQuote, IngestSeriesInput, IngestSeriesResult } from '../domain/series';
import { failureText } from './failure-text';
import type { SeriesProgress } from './messages';

const FINISHED: ChunkProgress['state'][] = ['loaded', 'skipped', 'quarantined'];
const PAID: ChunkProgress['state'][] = ['loaded', 'quarantined', 'validated', 'downloaded'];

/** Every chunk's state in one ingestSeries run (and the runs before it), for its progress query and current details. */
export class SeriesProgressTracker {
  private readonly chunks = new Map<string, ChunkProgress>();

  constructor(
    private readonly id: string,
    input: Pick<IngestSeriesInput, 'chunks' | 'done'>,
  ) {
    for (const c of input.done ?? []) this.chunks.set(c.id, c);
    for (const c of input.chunks) {
      this.chunks.set(c.id, { id: c.id, start: c.start, end: c.end, state: c.alreadyLoaded ? 'skipped' : 'pending', costUsd: c.costUsd, records: c.records });
    }
  }

  get(chunkId: string): ChunkProgress | undefined {
    return this.chunks.get(chunkId);
  }

  set(chunkId: string, patch: Partial<ChunkProgress>): void {
    this.chunks.set(chunkId, { ...this.chunks.get(chunkId)!, ...patch });
    const t = this.totals();
    const done = t.chunks.filter((c) => FINISHED.includes(c.state)).length;
    setCurrentDetails(
      `${this.id}: ${done}/${t.chunks.length} chunks done, ${t.rowsLoaded} rows loaded, USD ${t.costUsd.toFixed(4)} spent; now ${chunkId} ${patch.state ?? ''}`,
    );
  }

  /** marks the chunks of a batch that failed, except those already quarantined */
  fail(batch: ChunkQuote[], err: unknown): void {
    const detail = failureText(err);
    for (const c of batch) if (this.get(c.id)?.state !== 'quarantined') this.set(c.id, { state: 'failed', detail });
  }

  quarantined(): ChunkProgress[] {
    return [...this.chunks.values()].filter((c) => c.state === 'quarantined');
  }

  /** what a continue-as-new carries: every chunk but those the next run takes */
  doneExcept(remaining: ChunkQuote[]): ChunkProgress[] {
    return [...this.chunks.values()].filter((c) => !remaining.some((r) => r.id === c.id));
  }

  totals(): SeriesProgress {
    const chunks = [...this.chunks.values()].sort((a, b) => a.start.localeCompare(b.start));
    return {
      series: this.id,
      chunks,
      rowsLoaded: chunks.reduce((s, c) => s + (c.state === 'loaded' ? (c.rows ?? 0) : 0), 0),
      bytesDownloaded: chunks.reduce((s, c) => s + (c.bytes ?? 0), 0),
      costUsd: chunks.reduce((s, c) => s + (PAID.includes(c.state) ? (c.costUsd ?? 0) : 0), 0),
    };
  }

  result(): IngestSeriesResult {
    const totals = this.totals();
    return { ...totals, quarantined: totals.chunks.filter((c) => c.state === 'quarantined').map((c) => c.id) };
  }
}
