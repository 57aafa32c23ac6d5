// workflows for test/pipeline/activity-heartbeats.test.ts: one activity under a 1-second heartbeat timeout
import { proxyActivities } from '@temporalio/workflow';

export interface SlowActivities {
  /** works for `ms` without reporting progress */
  quietWork(ms: number, heartbeats: 'keepAlive' | 'own'): Promise<string>;
}

const { quietWork } = proxyActivities<SlowActivities>({
  startToCloseTimeout: '1 minute',
  heartbeatTimeout: '1 second',
  retry: { maximumAttempts: 1 },
});

export async function runQuietWork(ms: number, heartbeats: 'keepAlive' | 'own'): Promise<string> {
  return quietWork(ms, heartbeats);
}
