import { isoSeconds } from './time';

const NS_PER_DAY = 86_400_000_000_000n;

const compact = (iso: string) => {
  const day = iso.slice(0, 10).replaceAll('-', '');
  const time = iso.slice(11, 19).replaceAll(':', '');
  return time === '000000' ? day : `${day}T${time}`;
};

/**
 * Ledger key for a daily slice. A whole half-year keeps the backfill's id (`2026H2`); a partial one encodes its
 * range (`2026H2.20260701-20260812`), so a later, longer slice of the same half-year is a new chunk (own file,
 * own ledger row) and never reuses a shorter stored file.
 */
export function dailyChunkId(plan: { id: string; start: string; end: string }): string {
  const [year, half] = [Number(plan.id.slice(0, 4)), plan.id.endsWith('H1') ? 1 : 2];
  const fullStart = isoSeconds(BigInt(Date.UTC(year, half === 1 ? 0 : 6, 1)) * 1_000_000n);
  const fullEnd = isoSeconds(BigInt(half === 1 ? Date.UTC(year, 6, 1) : Date.UTC(year + 1, 0, 1)) * 1_000_000n);
  if (plan.start === fullStart && plan.end === fullEnd) return plan.id;
  return `${plan.id}.${compact(plan.start)}-${compact(plan.end)}`;
}

/** The end of the last complete UTC day before `now`. */
export function lastCompleteDayEnd(nowMs: number): string {
  const ns = BigInt(nowMs) * 1_000_000n;
  return isoSeconds((ns / NS_PER_DAY) * NS_PER_DAY);
}
