import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { meterCpu, processCpuSeconds } from './cpu-meter';

// a child that burns CPU until its own accounting says 0.3 s, prints it, and waits to be read
const BURNER = `
const spent = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };
let x = 0; while (spent() < 0.3) x += Math.sqrt(x + 1);
process.stdout.write(String(spent()) + '\\n');
process.stdin.resume();
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
});
