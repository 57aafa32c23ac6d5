import type { SeriesKey } from '../../domain/series';
import { asActivity } from '../as-activity';
import type { PipelineDeps } from '../deps';
import { planDailySeries } from './plan-daily-series';
import { revalidateRecent } from './revalidate-recent';

export type { DailyPlan } from './plan-daily-series';
export type { RecentChunkCheck, RevalidateResult } from './revalidate-recent';

/** Activities of the scheduled runs: plan the incremental range, re-validate recent chunks. */
export const dailyActivities = (deps: PipelineDeps) => ({
  planDailySeries: (input: { series: SeriesKey; nowMs?: number }) => asActivity(() => planDailySeries(deps, input), { heartbeats: 'own' }),
  revalidateRecent: (input: { series: SeriesKey; lastChunks: number }) => asActivity(() => revalidateRecent(deps, input)),
});
