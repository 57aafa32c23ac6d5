import { upsertSearchAttributes } from '@temporalio/workflow';
import { Dataset, Schema, Symbols } from '../domain/search-attributes';
import type { SeriesKey } from '../domain/series';

/** The run's Dataset, Schema and Symbols search attributes, from its series (or `fallback` when it has none). */
export function tagSeries(series: SeriesKey[], fallback: { dataset: string; schema: string; symbols: string[] }): void {
  upsertSearchAttributes([
    { key: Dataset, value: series[0]?.dataset ?? fallback.dataset },
    { key: Schema, value: series.length ? [...new Set(series.map((s) => s.schema))].join(',') : fallback.schema },
    { key: Symbols, value: series.length ? [...new Set(series.map((s) => s.symbol))] : fallback.symbols },
  ]);
}
