import { type BuildFeaturesInput, type BuildFeaturesResult, buildFeatures } from '../../features/build-features';
import { fredClientFromEnv } from '../../fred/fred-client';
import { type IngestFredInput, type IngestFredResult, ingestFredSeries } from '../../fred/ingest-fred';
import { type PublishForecastInput, type PublishForecastResult, publishForecast } from '../../forecast/publish-forecast';
import { type PipelineDeps, withWarehouse } from '../deps';
import { asActivity } from '../as-activity';

/** The end of every backfill and daily run: FRED macro series, the feature matrix, then a walk-forward forecast. */
export function analyticsActivities(deps: PipelineDeps) {
  const logger = deps.logger.child({ component: 'analytics' });
  return {
    /**
     * Idempotent FRED refresh (MERGE on series, date, vintage): the whole history, or with `lookbackDays` only the
     * recent observations (daily runs). Without FRED_API_KEY the features simply go without macro inputs.
     */
    async ingestFred(input: IngestFredInput & { lookbackDays?: number }): Promise<IngestFredResult & { changed: number; start: string | null; skipped?: string }> {
      if (!deps.env.FRED_API_KEY) {
        logger.warn('FRED_API_KEY is not set: macro features stay empty');
        return { series: [], changed: 0, start: null, skipped: 'FRED_API_KEY is not set' };
      }
      return asActivity(async () => {
        const client = fredClientFromEnv(deps.env);
        const { lookbackDays, ...rest } = input;
        const start = lookbackDays === undefined ? rest.start : new Date(Date.now() - lookbackDays * 86_400_000).toISOString().slice(0, 10);
        const result = await withWarehouse(deps, (warehouse) => ingestFredSeries({ client, warehouse, logger }, { ...rest, start }));
        const changed = result.series.reduce((sum, r) => sum + r.inserted + r.updated, 0);
        logger.info({ series: result.series.length, changed, start }, 'FRED refreshed');
        return { ...result, changed, start: start ?? null };
      });
    },
    async buildFeatures(input: BuildFeaturesInput): Promise<BuildFeaturesResult> {
      return asActivity(() => withWarehouse(deps, (warehouse) => buildFeatures({ warehouse, logger }, input)));
    },
    async publishForecast(input: PublishForecastInput): Promise<PublishForecastResult> {
      return asActivity(() => withWarehouse(deps, (warehouse) => publishForecast({ warehouse, logger }, input)));
    },
  };
}

