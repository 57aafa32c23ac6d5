import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/** Search attributes our workflows set; registered on the dev server at start (see local/temporal-dev-server.ts). */
export const PipelineStage = defineSearchAttributeKey('PipelineStage', SearchAttributeType.KEYWORD);
export const Dataset = defineSearchAttributeKey('Dataset', SearchAttributeType.KEYWORD);
export const Schema = defineSearchAttributeKey('Schema', SearchAttributeType.KEYWORD);
export const Symbols = defineSearchAttributeKey('Symbols', SearchAttributeType.KEYWORD_LIST);

export const SEARCH_ATTRIBUTES = [PipelineStage, Dataset, Schema, Symbols] as const;

export type PipelineStageValue =
  | 'validating_input'
  | 'quoting'
  | 'awaiting_approval'
  | 'awaiting_review'
  | 'ingesting'
  | 'building_features'
  | 'publishing_forecast'
  | 'done'
  | 'rejected'
  | 'failed';

/** The search attributes of one series' child run (so the UI finds it by dataset, schema and symbol). */
export function seriesSearchAttributes(s: { dataset: string; schema: string; symbol: string }) {
  return [
    { key: Dataset, value: s.dataset },
    { key: Schema, value: s.schema },
    { key: Symbols, value: [s.symbol] },
    { key: PipelineStage, value: 'ingesting' as PipelineStageValue },
  ];
}
