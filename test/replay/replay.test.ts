import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../support/market-data-dir';
import { productionBundle } from '../../workers/create-workers';
import * as workflows from '../../workflows';

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

  it('has a history of every workflow the worker runs', () => {
    const types = new Set(files.map((f) => (JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as HistoryEnvelope).workflowType));
    expect([...types].sort()).toEqual(Object.keys(workflows).sort());
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
