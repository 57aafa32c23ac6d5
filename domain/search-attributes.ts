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
