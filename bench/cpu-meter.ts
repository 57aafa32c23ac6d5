import { readFileSync } from 'node:fs';

// /proc/<pid>/stat counts in clock ticks; 100 per second on every Linux this runs on (getconf CLK_TCK)
const TICKS_PER_SECOND = 100;

/** CPU seconds (user + system, all threads) another process has used so far; NaN where /proc is missing. */
export function processCpuSeconds(pid: number): number {
  return statCpuSeconds(`/proc/${pid}/stat`);
}

/** utime + stime of a /proc stat file, in seconds; NaN if it cannot be read */
function statCpuSeconds(statFile: string): number {
  try {
    const stat = readFileSync(statFile, 'utf8');
    // the command name (field 2) may hold spaces: fields are counted after its closing parenthesis
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND; // utime, stime (fields 14 and 15)
  } catch {
    return Number.NaN;
  }
}

/** CPU seconds this process (every thread: JS, DuckDB, the SDK's Core, workflow threads) has used so far. */
export function ownCpuSeconds(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}

/** Starts metering: the returned function gives the CPU seconds this process and the given others used since. */
export function meterCpu(otherPids: number[]): () => { own: number; others: number } {
  const own0 = ownCpuSeconds();
  const others0 = otherPids.map(processCpuSeconds);
  return () => ({
    own: ownCpuSeconds() - own0,
    others: otherPids.reduce((sum, pid, i) => sum + processCpuSeconds(pid) - others0[i], 0),
  });
}
