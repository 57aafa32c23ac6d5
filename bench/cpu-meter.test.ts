import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { meterCpu, processCpuSeconds } from './cpu-meter';

// A child that reports its own CPU seconds (process.cpuUsage: getrusage, all its threads) at each step, so every
// bound below comes from what the child itself counted, never from how long anything took:
//   1. on start it prints its CPU so far;
//   2. on the first line it reads, it notes its CPU, burns until it has used 0.3 s more, and prints both figures;
//   3. on any later line it prints its CPU so far.
const BURNER = `
const spent = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };
const say = (...figures) => process.stdout.write(figures.join(' ') + '\\n');
let burned = false;
require('node:readline').createInterface({ input: process.stdin }).on('line', () => {
  if (burned) return say(spent());
  burned = true;
  const start = spent();
  let x = 0, now;
  while ((now = spent()) - start < 0.3) x += Math.sqrt(x + 1);
  say(start, now);
});
say(spent());
`;

// /proc/<pid>/stat and getrusage read the same kernel counters, which only grow; /proc rounds utime and stime down to
// 10 ms ticks each, so it can be up to 20 ms below a getrusage figure taken earlier, never above one taken later
const TICKS_ROUNDING = 0.02;
const FLOAT_SLACK = 1e-6;

describe('cpu meter', () => {
  it.runIf(process.platform === 'linux')("reads another process's CPU seconds as that process counts them", async () => {
    const child = spawn(process.execPath, ['-e', BURNER], { stdio: ['pipe', 'pipe', 'inherit'] });
    try {
      const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
      const report = async () => {
        const { value, done } = await lines.next();
        if (done) throw new Error('the burner exited before reporting');
        return (value as string).split(' ').map(Number);
      };

      const [ready] = await report();
      const stop = meterCpu([child.pid!]);
      child.stdin!.write('burn\n');
      const [start, end] = await report();
      // read while the child waits between two of its own reports: end <= (its CPU now) <= after
      const read = processCpuSeconds(child.pid!);
      const { others } = stop();
      child.stdin!.write('report\n');
      const [after] = await report();

      expect(end - start).toBeGreaterThanOrEqual(0.3);
      // the same counter as the child's own, in ticks: a fixed field (0, a wrong column, a wrong unit) falls outside
      expect(read).toBeGreaterThanOrEqual(end - TICKS_ROUNDING - FLOAT_SLACK);
      expect(read).toBeLessThanOrEqual(after + FLOAT_SLACK);
      // metering began after the child's `ready` report and before its `start` one, and ended between `end` and `after`
      expect(others).toBeGreaterThanOrEqual(end - start - TICKS_ROUNDING - FLOAT_SLACK);
      expect(others).toBeLessThanOrEqual(after - ready + TICKS_ROUNDING + FLOAT_SLACK);
    } finally {
      child.kill();
    }
  });

  it('gives NaN for a process that does not exist, not a number that looks measured', () => {
    expect(processCpuSeconds(2 ** 30)).toBeNaN();
  });
});
