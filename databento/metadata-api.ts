import type { HttpTransport } from './http-transport';
import { parseInput } from './parse-input';
import {
  costSchema,
  countSchema,
  datasetConditionInputSchema,
  datasetConditionSchema,
  datasetInputSchema,
  datasetRangeSchema,
  listDatasetsInputSchema,
  publisherSchema,
  rangeParams,
  rangeQuerySchema,
  stringListSchema,
  unitPricesSchema,
  type DatasetCondition,
  type DatasetRange,
  type Publisher,
  type RangeQuery,
  type UnitPrices,
} from './schemas';

export interface CallOptions {
  signal?: AbortSignal;
}

/**
 * `metadata.*`: all idempotent and free, so every call is retried under the client's policy.
 * get_cost / get_record_count / get_billable_size take exactly the query get_range will use.
 */
export class MetadataApi {
  readonly #t: HttpTransport;
  constructor(transport: HttpTransport) {
    this.#t = transport;
  }

  async listDatasets(q: { startDate?: string; endDate?: string } = {}, opts: CallOptions = {}): Promise<string[]> {
    const input = parseInput('metadata.listDatasets', listDatasetsInputSchema, q);
    const params: Record<string, string> = {};
    if (input.startDate) params.start_date = input.startDate;
    if (input.endDate) params.end_date = input.endDate;
    return this.#t.json({ method: 'GET', endpoint: 'metadata.list_datasets', params, signal: opts.signal }, stringListSchema, { retry: true });
  }

  async listSchemas(q: { dataset: string }, opts: CallOptions = {}): Promise<string[]> {
    const input = parseInput('metadata.listSchemas', datasetInputSchema, q);
    return this.#t.json({ method: 'GET', endpoint: 'metadata.list_schemas', params: { dataset: input.dataset }, signal: opts.signal }, stringListSchema, { retry: true });
  }

  async listPublishers(opts: CallOptions = {}): Promise<Publisher[]> {
    return this.#t.json({ method: 'GET', endpoint: 'metadata.list_publishers', signal: opts.signal }, publisherSchema.array(), { retry: true });
  }

  async getDatasetRange(q: { dataset: string }, opts: CallOptions = {}): Promise<DatasetRange> {
    const input = parseInput('metadata.getDatasetRange', datasetInputSchema, q);
    return this.#t.json({ method: 'GET', endpoint: 'metadata.get_dataset_range', params: { dataset: input.dataset }, signal: opts.signal }, datasetRangeSchema, { retry: true });
  }

  async getDatasetCondition(q: { dataset: string; startDate?: string; endDate?: string }, opts: CallOptions = {}): Promise<DatasetCondition> {
    const input = parseInput('metadata.getDatasetCondition', datasetConditionInputSchema, q);
    const params: Record<string, string> = { dataset: input.dataset };
    if (input.startDate) params.start_date = input.startDate;
    if (input.endDate) params.end_date = input.endDate;
    return this.#t.json({ method: 'GET', endpoint: 'metadata.get_dataset_condition', params, signal: opts.signal }, datasetConditionSchema, { retry: true });
  }

  async listUnitPrices(q: { dataset: string }, opts: CallOptions = {}): Promise<UnitPrices> {
    const input = parseInput('metadata.listUnitPrices', datasetInputSchema, q);
    return this.#t.json({ method: 'GET', endpoint: 'metadata.list_unit_prices', params: { dataset: input.dataset }, signal: opts.signal }, unitPricesSchema, { retry: true });
  }

  /** USD for streaming exactly this query. */
  async getCost(q: RangeQuery, opts: CallOptions = {}): Promise<number> {
    const params = rangeParams(parseInput('metadata.getCost', rangeQuerySchema, q));
    return this.#t.json({ method: 'POST', endpoint: 'metadata.get_cost', params, signal: opts.signal }, costSchema, { retry: true });
  }

  async getRecordCount(q: RangeQuery, opts: CallOptions = {}): Promise<number> {
    const params = rangeParams(parseInput('metadata.getRecordCount', rangeQuerySchema, q));
    return this.#t.json({ method: 'POST', endpoint: 'metadata.get_record_count', params, signal: opts.signal }, countSchema, { retry: true });
  }

  /** Uncompressed DBN bytes Databento would bill for this query. */
  async getBillableSize(q: RangeQuery, opts: CallOptions = {}): Promise<number> {
    const params = rangeParams(parseInput('metadata.getBillableSize', rangeQuerySchema, q));
    return this.#t.json({ method: 'POST', endpoint: 'metadata.get_billable_size', params, signal: opts.signal }, countSchema, { retry: true });
  }
}
