import { cpus, totalmem, type } from 'node:os';

/** One line naming the machine a benchmark ran on. */
export function machineLine(): string {
  const cpu = cpus();
  return `machine: ${cpu[0]?.model ?? 'unknown cpu'} × ${cpu.length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, ${type()} ${process.platform}/${process.arch}, node ${process.version}`;
}
