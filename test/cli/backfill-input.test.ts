import { createServer } from 'node:net';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/run-cli';

/**
 * Every input check of `backfill` (and `approve --max-cost`) happens in the CLI before it connects anywhere: these
 * run with TEMPORAL_ADDRESS at a port nothing listens on, so a message that is not a connection error, within
 * seconds, proves the input was refused before anything started.
 */
describe('cli backfill/approve: bad input exits non-zero at once, before connecting to Temporal', () => {
  let closedAddress: string;
  beforeAll(async () => {
    // a port that was free a moment ago and is closed now: a connection there is refused
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    await new Promise<void>((resolve) => server.close(() => resolve()));
    closedAddress = `127.0.0.1:${port}`;
  });

  const backfill = (patch: Record<string, string>) => {
    const opts: Record<string, string> = { '--schema': 'ohlcv-1d', '--symbols': 'ZL.c.0', '--stype-in': 'continuous', '--start': '2025-01-01', '--end': '2025-02-01', '--max-cost': '5', ...patch };
    return ['backfill', ...Object.entries(opts).flat()];
  };
  const run = async (args: string[]) => {
    const started = Date.now();
    const res = await runCli(args, { TEMPORAL_ADDRESS: closedAddress, LOG_LEVEL: 'silent' }, 30_000);
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(res.code, res.stderr).not.toBe(0);
    expect(res.stdout).toBe('');
    expect(res.stderr).not.toMatch(/connect|ECONNREFUSED|transport|unavailable/i);
    return res.stderr;
  };

  it.each([
    ['Feb 30', { '--start': '2025-02-30' }, /start: .*not a calendar date/i],
    ['month 13, day 99', { '--end': '2025-13-99' }, /end: /],
    ['hour 25', { '--start': '2025-01-01T25:00' }, /start: /],
    ['start after end in nanoseconds', { '--start': '1738368000000000000', '--end': '1735689600000000000' }, /start: start must be before end/],
    ['a path-traversal symbol', { '--symbols': 'ZL.c.0,../../etc/passwd' }, /symbols\.1: .*Databento symbol/],
    ['an SQL symbol', { '--symbols': "ZL'; DROP TABLE bars; --" }, /symbols\.0: /],
    ['a duration that is none', { '--approval-timeout': '7 dayz' }, /approvalTimeout: "7 dayz" is not a duration/],
  ])('%s', async (_label, patch, message) => {
    const stderr = await run(backfill(patch));
    expect(stderr).toMatch(/^error: invalid backfill input: /);
    expect(stderr).toMatch(message);
  });

  it.each(['0x10', '', '1e3', '-1', 'Infinity', '5 USD'])('backfill --max-cost %j', async (maxCost) => {
    const stderr = await run(backfill({ '--max-cost': maxCost }));
    expect(stderr).toMatch(/--max-cost: .*plain decimal/);
    expect(stderr).toContain(JSON.stringify(maxCost));
  });

  it.each(['0x10', ''])('approve --max-cost %j', async (maxCost) => {
    const stderr = await run(['approve', 'backfill/GLBX.MDP3/ohlcv-1d/ZL.c.0/2025-01-01/2025-02-01', '--max-cost', maxCost]);
    expect(stderr).toMatch(/--max-cost: .*plain decimal/);
  });

  it('a valid input does try to connect (the checks above are not a broken CLI)', async () => {
    const res = await runCli(backfill({}), { TEMPORAL_ADDRESS: closedAddress, LOG_LEVEL: 'silent' }, 60_000);
    expect(res.code).not.toBe(0);
    expect(res.stderr).not.toMatch(/invalid backfill input|--max-cost/);
  });
});
