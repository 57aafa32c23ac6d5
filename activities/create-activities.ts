import { analyticsActivities } from './analytics/analytics-activities';
import { dailyActivities } from './daily/daily-activities';
import type { PipelineDeps } from './deps';
import { fetchActivities } from './fetch/fetch-chunks';
import { loadActivities } from './load/load-activities';
import { quoteActivities } from './quote/quote-series';

/**
 * Every activity of the pipeline, by step: quote → fetch (download and validate, on the host that keeps the files)
 * → load (on that host's queue) → analytics; and the scheduled runs' planning and re-validation.
 */
export function createActivities(deps: PipelineDeps) {
  return {
    ...quoteActivities(deps),
    ...fetchActivities(deps),
    ...loadActivities(deps),
    ...analyticsActivities(deps),
    ...dailyActivities(deps),
  };
}

export type PipelineActivities = ReturnType<typeof createActivities>;
