import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { meterCpu, meterThreads, processCpuSeconds, threadCpuSeconds } from './cpu-meter';

// a child that burns CPU until its own accounting says 0.3 s, prints it, and waits to be read
const BURNER = `
const spent = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };
let x = 0; while (spent() < 0.3) x += Math.sqrt(x + 1);
process.stdout.write(String(spent()) + '\\n');
process.stdin.resume();
`;

// a worker thread that burns CPU until its thread's own /proc entry says 0.3 s, then posts that figure
const BURNER_THREAD = `
const { readFileSync } = require('node:fs');
const spent = () => { const s = readFileSync('/proc/thread-self/stat', 'utf8'); const f = s.slice(s.lastIndexOf(')') + 2).split(' '); return (Number(f[11]) + Number(f[12])) / 100; };
let x = 0; while (spent() < 0.3) x += Math.sqrt(x + 1);
require('node:worker_threads').parentPort.postMessage(spent());
`;

describe('cpu meter', () => {
  it.runIf(process.platform === 'linux')("reads another process's CPU seconds as that process counts them", async () => {
    const child = spawn(process.execPath, ['-e', BURNER], { stdio: ['pipe', 'pipe', 'inherit'] });
    try {
      const stop = meterCpu([child.pid!]);
      const [line] = (await once(child.stdout!, 'data')) as [Buffer];
      const ownCount = Number(line.toString());
      const read = processCpuSeconds(child.pid!);
      // /proc counts in 10 ms ticks, and the child ran a little more to print
      expect(read).toBeGreaterThanOrEqual(ownCount - 0.05);
      expect(read).toBeLessThan(ownCount + 0.5);
      // metering began just after the spawn, when the child had used next to nothing
      expect(stop().others).toBeGreaterThanOrEqual(ownCount - 0.2);
    } finally {
      child.kill();
    }
  });

  it('gives NaN for a process that does not exist, not a number that looks measured', () => {
    expect(processCpuSeconds(2 ** 30)).toBeNaN();
  });

  it.runIf(process.platform === 'linux')('puts the CPU of a thread started after the known ones under started, not main', async () => {
    const known = new Set(threadCpuSeconds().keys());
    expect(known.has(process.pid)).toBe(true);
    const stop = meterThreads(known);
    // a worker thread burns until its own thread's /proc entry says 0.3 s; this thread only waits for it
    const burner = new Worker(BURNER_THREAD, { eval: true });
    const [spent] = (await once(burner, 'message')) as [number];
    const split = stop();
    await burner.terminate();
    expect(spent).toBeGreaterThanOrEqual(0.3);
    expect(split.started).toBeGreaterThanOrEqual(0.28);
    expect(split.main).toBeLessThan(0.15);
    // the parts come from the same clock as the whole: they cannot add up to more than the process used
    expect(split.rest).toBeGreaterThan(-0.05);
  });
});
