import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DevServer, startTemporalDevServer } from '../../local/temporal-dev-server';
import { PIPELINE_SCHEDULES } from '../../schedules';
import { runCli } from '../support/run-cli';

describe('cli schedules apply|list|pause|unpause|trigger|delete on a real dev server', () => {
  let server: DevServer;
  let env: Record<string, string>;
  beforeAll(async () => {
    server = await startTemporalDevServer({});
    env = { TEMPORAL_ADDRESS: server.address, TEMPORAL_TASK_QUEUE: 'cli-schedules-test', LOG_LEVEL: 'warn' };
  });
  afterAll(async () => server?.stop());

  const cli = async (...args: string[]) => {
    const res = await runCli(['schedules', ...args], env);
    return { ...res, json: res.code === 0 ? JSON.parse(res.stdout) : null };
  };

  it('apply, list, pause (kept by a second apply), unpause, trigger, delete', async () => {
    const applied = await cli('apply');
    expect(applied.code, applied.stderr).toBe(0);
    expect(applied.json.created.sort()).toEqual(PIPELINE_SCHEDULES.map((s) => s.scheduleId).sort());

    expect((await cli('pause', 'pipeline-fred-daily', '--note', 'FRED key rotation')).code).toBe(0);
    const again = await cli('apply');
    expect(again.json).toMatchObject({ created: [], deleted: [] });
    let listed: { scheduleId: string; paused: boolean; note: string | null; timezone: string; overlap: string }[] = [];
    for (let i = 0; i < 50 && listed.length !== PIPELINE_SCHEDULES.length; i++) listed = (await cli('list')).json;
    const fred = listed.find((s) => s.scheduleId === 'pipeline-fred-daily');
    expect(fred).toMatchObject({ paused: true, note: 'FRED key rotation', timezone: 'UTC', overlap: 'SKIP' });
    expect(listed.find((s) => s.scheduleId === 'pipeline-databento-zl-price')).toMatchObject({ paused: false, timezone: 'America/Chicago' });

    expect((await cli('unpause', 'pipeline-fred-daily')).json).toEqual({ scheduleId: 'pipeline-fred-daily', paused: false });
    expect((await cli('trigger', 'pipeline-fred-daily', '--overlap', 'buffer-one')).json).toMatchObject({ triggered: true, overlap: 'BUFFER_ONE' });
    expect((await cli('delete', 'pipeline-fred-daily')).json).toEqual({ scheduleId: 'pipeline-fred-daily', deleted: true });
  });

  it('refuses ids outside our prefix and the ALLOW_ALL overlap, exit 1 with the reason on stderr', async () => {
    const foreign = await cli('delete', 'someone-elses-schedule');
    expect(foreign.code).toBe(1);
    expect(foreign.stderr).toMatch(/SCHEDULE_NOT_OURS.*does not start with pipeline-/);
    const allowAll = await cli('trigger', 'pipeline-databento-zl-price', '--overlap', 'allow-all');
    expect(allowAll.code).toBe(1);
    expect(allowAll.stderr).toMatch(/--overlap must be skip or buffer-one/);
  });
});
