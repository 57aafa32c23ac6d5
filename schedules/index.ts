import { databentoOtherSymbols } from './databento-other-symbols';
import { databentoZlPrice } from './databento-zl-price';
import { fredDaily } from './fred-daily';
import type { PipelineSchedule } from './pipeline-schedule';
import { validateRecentSchedule } from './validate-recent';

/** Every schedule in code; `schedules apply` makes the server match this list. */
export const PIPELINE_SCHEDULES: readonly PipelineSchedule[] = [databentoZlPrice, databentoOtherSymbols, fredDaily, validateRecentSchedule];

export { SCHEDULE_ID_PREFIX, type PipelineSchedule } from './pipeline-schedule';
