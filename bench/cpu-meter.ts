import { readFileSync, readdirSync } from 'node:fs';

// /proc/<pid>/stat counts in clock ticks; 100 per second on every Linux this runs on (getconf CLK_TCK)
const TICKS_PER_SECOND = 100;

/** CPU seconds (user + system, all threads) another process has used so far; NaN where /proc is missing. */
export function processCpuSeconds(pid: number): number {
  return statCpuSeconds(`/proc/${pid}/stat`);
}

/** utime + stime of a /proc stat file (a process's or one thread's), in seconds; NaN if it cannot be read */
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

/** CPU seconds each live thread of this process has used so far, by thread id; empty where /proc is missing. */
export function threadCpuSeconds(): Map<number, number> {
  const threads = new Map<number, number>();
  let tids: string[];
  try {
    tids = readdirSync('/proc/self/task');
  } catch {
    return threads;
  }
  for (const tid of tids) {
    // a thread may end between the listing and the read
    const seconds = statCpuSeconds(`/proc/self/task/${tid}/stat`);
    if (!Number.isNaN(seconds)) threads.set(Number(tid), seconds);
  }
  return threads;
}

/** This process's CPU over a span, split by thread: the main thread, threads started since `known`, the rest. */
export interface ThreadSplit {
  main: number;
  /** threads not in `known`, e.g. those a Temporal worker started (its Core runtime, its workflow thread) */
  started: number;
  /** every other thread (libuv's pool, where DuckDB runs its queries; V8's GC helpers), and threads that ended */
  rest: number;
}

/**
 * Starts metering this process's CPU by thread; NaN where /proc is missing. `known` defaults to the threads alive
 * now, so `started` counts the threads that start during the span.
 */
export function meterThreads(known?: ReadonlySet<number>): () => ThreadSplit {
  const own0 = ownCpuSeconds();
  const before = threadCpuSeconds();
  const knownThreads = known ?? new Set(before.keys());
  return () => {
    const own = ownCpuSeconds() - own0;
    const after = threadCpuSeconds();
    if (!after.size) return { main: Number.NaN, started: Number.NaN, rest: Number.NaN };
    const main = (after.get(process.pid) ?? 0) - (before.get(process.pid) ?? 0);
    let started = 0;
    for (const [tid, seconds] of after) if (!knownThreads.has(tid)) started += seconds - (before.get(tid) ?? 0);
    return { main, started, rest: own - main - started };
  };
}
