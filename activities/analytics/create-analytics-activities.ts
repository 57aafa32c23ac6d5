import { type BuildFeaturesInput, type BuildFeaturesResult, buildFeatures } from '../features/build-features';
import { type PublishForecastInput, type PublishForecastResult, publishForecast } from '../forecast/publish-forecast';
import { type PipelineDeps, withWarehouse } from '../pipeline/pipeline-deps';
import { asActivity } from '../pipeline/to-activity-failure';

/** The end of every backfill and daily run: the feature matrix, then a walk-forward forecast. */
export function createAnalyticsActivities(deps: PipelineDeps) {
  const logger = deps.logger.child({ component: 'analytics' });
  return {
    async buildFeatures(input: BuildFeaturesInput): Promise<BuildFeaturesResult> {
      return asActivity(() => withWarehouse(deps, (warehouse) => buildFeatures({ warehouse, logger }, input)));
    },
    async publishForecast(input: PublishForecastInput): Promise<PublishForecastResult> {
      return asActivity(() => withWarehouse(deps, (warehouse) => publishForecast({ warehouse, logger }, input)));
    },
  };
}

export type AnalyticsActivities = ReturnType<typeof createAnalyticsActivities>;
