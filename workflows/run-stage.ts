import { setCurrentDetails, upsertSearchAttributes } from '@temporalio/workflow';
import { PipelineStage, type PipelineStageValue } from '../domain/search-attributes';

/** A run's stage, kept in the PipelineStage search attribute (findable in the UI) and its current details. */
export class RunStage {
  stage: PipelineStageValue;
  detail = '';

  constructor(initial: PipelineStageValue) {
    this.stage = initial;
  }

  readonly set = (next: PipelineStageValue, details: string): void => {
    this.stage = next;
    this.detail = details;
    upsertSearchAttributes([{ key: PipelineStage, value: next }]);
    setCurrentDetails(details);
  };
}
