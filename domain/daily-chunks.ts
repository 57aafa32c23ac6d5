import { isoSeconds } from './time';

const NS_PER_DAY = 86_400_000_000_000n;

/** The end of the last complete UTC day before `now`. */
export function lastCompleteDayEnd(nowMs: number): string {
  const ns = BigInt(nowMs) * 1_000_000n;
  return isoSeconds((ns / NS_PER_DAY) * NS_PER_DAY);
}
