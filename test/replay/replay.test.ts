import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../support/market-data-dir';
import { productionBundle } from '../../workers/create-workers';
import { BATCHED_CHUNKS_PATCH, BATCHES_OF_12_PATCH, LOCAL_VALIDATION_PATCH, OVERLAPPED_LOADS_PATCH, PIPELINED_CHUNKS_PATCH, PREPARE_AHEAD_PATCH } from '../../workflows/ingest-series';

interface HistoryEnvelope {
  workflowId: string;
  workflowType: string;
  scenario: string;
  history: unknown;
}

const dir = path.join(repoRoot, 'test', 'histories');
const files = readdirSync(dir, { recursive: true, encoding: 'utf8' })
  .filter((f) => f.endsWith('.json'))
  .sort();

describe('replay of histories recorded from real runs (production bundle)', () => {
  let bundle: Awaited<ReturnType<typeof productionBundle>>;
  beforeAll(async () => {
    Runtime.install({ logger: new DefaultLogger('WARN') });
    bundle = await productionBundle();
  });

  it('has the committed scenarios', () => {
    const scenarios = files.map((f) => f.replace(/_sdk-[\d.]+\.json$/, ''));
    for (const s of [
      'backfill/happy-path',
      'backfill/approved',
      'backfill/rejected',
      'ingestSeries/download-retried',
      'ingestSeries/happy-path',
      'ingestSeries/quarantine-redownloaded',
      'dailyIngest/loads-new-bars',
    ]) {
      expect(scenarios).toContain(s);
    }
    expect(scenarios.some((s) => s.startsWith('ingestSeries/continued-as-new'))).toBe(true);
  });

  it('has ingestSeries histories on every side of its patches (sequential, pipelined, validated locally, overlapped loads, prepared ahead, batched, batches of 12)', () => {
    const scenarios = files.map((f) => f.replace(/_sdk-[\d.]+\.json$/, ''));
    for (const s of ['happy-path', 'download-retried', 'quarantine-redownloaded', 'continued-as-new-run1']) {
      expect(scenarios).toContain(`ingestSeries/${s}`);
      expect(scenarios).toContain(`ingestSeries/${s}_patch-${PIPELINED_CHUNKS_PATCH}`);
      // capture names patches in sorted order
      expect(scenarios).toContain(`ingestSeries/${s}_patch-${LOCAL_VALIDATION_PATCH}_patch-${PIPELINED_CHUNKS_PATCH}`);
      expect(scenarios).toContain(`ingestSeries/${s}_patch-${LOCAL_VALIDATION_PATCH}_patch-${OVERLAPPED_LOADS_PATCH}_patch-${PIPELINED_CHUNKS_PATCH}`);
      expect(scenarios).toContain(
        `ingestSeries/${s}_patch-${LOCAL_VALIDATION_PATCH}_patch-${OVERLAPPED_LOADS_PATCH}_patch-${PIPELINED_CHUNKS_PATCH}_patch-${PREPARE_AHEAD_PATCH}`,
      );
      expect(scenarios).toContain(
        `ingestSeries/${s}_patch-${BATCHED_CHUNKS_PATCH}_patch-${LOCAL_VALIDATION_PATCH}_patch-${OVERLAPPED_LOADS_PATCH}_patch-${PIPELINED_CHUNKS_PATCH}_patch-${PREPARE_AHEAD_PATCH}`,
      );
      // the newest patch implies the others: its runs record only its marker
      expect(scenarios).toContain(`ingestSeries/${s}_patch-${BATCHES_OF_12_PATCH}`);
    }
  });

  for (const file of files) {
    it(`replays ${file} deterministically`, async () => {
      const envelope = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as HistoryEnvelope;
      const history = historyFromJSON(envelope.history);
      expect(history.events?.length ?? 0).toBeGreaterThan(3);
      await Worker.runReplayHistory({ workflowBundle: bundle, replayName: file }, history, envelope.workflowId);
    });
  }
});
