import { type BuildFeaturesInput, type BuildFeaturesResult, buildFeatures } from '../features/build-features';
import { fredClientFromEnv } from '../fred/fred-client';
import { type IngestFredInput, type IngestFredResult, ingestFredSeries } from '../fred/ingest-fred';
import { type PublishForecastInput, type PublishForecastResult, publishForecast } from '../forecast/publish-forecast';
import { type PipelineDeps, withWarehouse } from '../pipeline/pipeline-deps';
import { asActivity } from '../pipeline/to-activity-failure';

/** The end of every backfill and daily run: FRED macro series, the feature matrix, then a walk-forward forecast. */
export function createAnalyticsActivities(deps: PipelineDeps) {
  const logger = deps.logger.child({ component: 'analytics' });
  return {
    /** Idempotent FRED refresh; without FRED_API_KEY the features simply go without macro inputs. */
    async ingestFred(input: IngestFredInput): Promise<IngestFredResult & { skipped?: string }> {
      if (!deps.env.FRED_API_KEY) {
        logger.warn('FRED_API_KEY is not set: macro features stay empty');
        return { series: [], skipped: 'FRED_API_KEY is not set' };
      }
      return asActivity(async () => {
        const client = fredClientFromEnv(deps.env);
        return withWarehouse(deps, (warehouse) => ingestFredSeries({ client, warehouse, logger }, input));
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

export type AnalyticsActivities = ReturnType<typeof createAnalyticsActivities>;
