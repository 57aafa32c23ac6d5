import { z } from 'zod';
import { stypeSchema, type SType } from '../domain/databento-enums';
import type { Metadata } from '../dbn/metadata';
import { UNDEF_PRICE, UNDEF_TIMESTAMP } from '../dbn/price';
import type { InstrumentDefMsg } from '../dbn/records';
import type { Row } from '../warehouse/table-spec';
import type { Roll } from './rolls';

/**
 * Rows for `market_data.instruments`, `market_data.symbology` and `market_data.roll_calendar`, shaped like
 * `instrumentsTable`, `symbologyTable` and `rollCalendarTable` in warehouse/core-tables.ts.
 * Prices go out as exact decimal text (NUMERIC), timestamps as bigint ns; dbn UNDEF sentinels become null.
 */

const I32_MAX = 2147483647;
const U16_MAX = 65535;
const U8_MAX = 255;

const decimal = (v: bigint): string | null => {
  if (v === UNDEF_PRICE) return null;
  const neg = v < 0n;
  const m = neg ? -v : v;
  const frac = (m % 1_000_000_000n).toString().padStart(9, '0').replace(/0+$/, '');
  const text = frac ? `${m / 1_000_000_000n}.${frac}` : `${m / 1_000_000_000n}`;
  return neg ? `-${text}` : text;
};
/**
 * Warehouse TIMESTAMP columns hold microseconds (BigQuery's precision), and the table refuses sub-µs values rather
 * than round them. Definition receive times are ns, so they are floored to the µs explicitly here; no pipeline
 * decision depends on the last three digits of a definition's ts_recv.
 */
const ts = (v: bigint): bigint | null => (v === UNDEF_TIMESTAMP ? null : v - (((v % 1000n) + 1000n) % 1000n));
const text = (v: string | undefined): string | null => (v ? v : null);
const int = (v: number, undef: number): number | null => (v === undef ? null : v);

export interface RowProvenance {
  dataset: string;
  /** where the rows came from (file path, request id); lineage column */
  source: string;
  /** ISO or ns; defaults to now */
  at?: string | bigint;
}

const nowIso = (): string => new Date().toISOString();

/** One `market_data.instruments` row per definition record (key: instrument_id, ts_recv). */
export function instrumentRows(defs: readonly InstrumentDefMsg[], prov: RowProvenance): Row[] {
  const at = prov.at ?? nowIso();
  return defs.map((d) => {
    // v1/v2 definitions carry no leg fields (decoded as 0 / ''): leg_count 0 means "not a multi-leg instrument".
    const hasLegs = d.leg_count > 0;
    return {
      instrument_id: d.hd.instrument_id,
      ts_recv: ts(d.ts_recv),
      ts_event: ts(d.hd.ts_event),
      dataset: prov.dataset,
      publisher_id: d.hd.publisher_id,
      raw_symbol: text(d.raw_symbol),
      instrument_class: text(d.instrument_class),
      security_type: text(d.security_type),
      cfi: text(d.cfi),
      asset: text(d.asset),
      group: text(d.group),
      exchange: text(d.exchange),
      currency: text(d.currency),
      expiration: ts(d.expiration),
      activation: ts(d.activation),
      min_price_increment: decimal(d.min_price_increment),
      display_factor: decimal(d.display_factor),
      unit_of_measure: text(d.unit_of_measure),
      unit_of_measure_qty: decimal(d.unit_of_measure_qty),
      contract_multiplier: int(d.contract_multiplier, I32_MAX),
      high_limit_price: decimal(d.high_limit_price),
      low_limit_price: decimal(d.low_limit_price),
      maturity_year: int(d.maturity_year, U16_MAX),
      maturity_month: int(d.maturity_month, U8_MAX),
      maturity_day: int(d.maturity_day, U8_MAX),
      underlying: text(d.underlying),
      underlying_id: d.underlying_id || null,
      user_defined_instrument: text(d.user_defined_instrument),
      leg_count: d.leg_count,
      leg_index: hasLegs ? d.leg_index : null,
      leg_instrument_id: hasLegs ? d.leg_instrument_id : null,
      leg_raw_symbol: hasLegs ? text(d.leg_raw_symbol) : null,
      leg_side: hasLegs ? text(d.leg_side) : null,
      leg_price: hasLegs ? decimal(d.leg_price) : null,
      leg_ratio_qty_numerator: hasLegs ? d.leg_ratio_qty_numerator : null,
      leg_ratio_qty_denominator: hasLegs ? d.leg_ratio_qty_denominator : null,
      source: prov.source,
      ingested_at: at,
    };
  });
}

/** symbology.resolve response and batch `symbology.json` share this shape; only `result` is required. */
export const symbologyResponseSchema = z.object({
  result: z.record(z.string(), z.array(z.object({ d0: z.string(), d1: z.string(), s: z.string() }))),
  symbols: z.array(z.string()).optional(),
  stype_in: stypeSchema.optional(),
  stype_out: stypeSchema.optional(),
  partial: z.array(z.string()).optional(),
  not_found: z.array(z.string()).optional(),
});
export type SymbologyResponse = z.infer<typeof symbologyResponseSchema>;

export interface SymbologyRowOptions extends RowProvenance {
  /** used when the response does not say (default raw_symbol → instrument_id) */
  stypeIn?: SType;
  stypeOut?: SType;
}

function symbologyRow(
  prov: SymbologyRowOptions,
  stypeIn: string,
  input: string,
  stypeOut: string,
  output: string,
  d0: string,
  d1: string,
): Row {
  return {
    dataset: prov.dataset,
    stype_in: stypeIn,
    input_symbol: input,
    stype_out: stypeOut,
    output_symbol: output,
    start_date: d0,
    end_date: d1,
    source: prov.source,
    ingested_at: prov.at ?? nowIso(),
  };
}

/**
 * `market_data.symbology` rows from a resolve response or a batch job's `symbology.json` ([d0, d1) dates, empty
 * `s` = no mapping, skipped). A parent request's batch symbology.json is keyed by the RAW symbols the parent
 * expanded to (NQ.FUT → `NQH2`, `NQZ5-NQH6`), not by `NQ.FUT`: keys that are not among the requested `symbols`
 * are therefore written with stype_in `raw_symbol`.
 */
export function symbologyRowsFromResolve(response: unknown, opts: SymbologyRowOptions): Row[] {
  const r = symbologyResponseSchema.parse(response);
  const stypeIn = r.stype_in ?? opts.stypeIn ?? 'raw_symbol';
  const stypeOut = r.stype_out ?? opts.stypeOut ?? 'instrument_id';
  const requested = r.symbols ? new Set(r.symbols) : null;
  const rows: Row[] = [];
  for (const [input, intervals] of Object.entries(r.result)) {
    const inType = requested && !requested.has(input) ? 'raw_symbol' : stypeIn;
    for (const iv of intervals) {
      if (!iv.s) continue;
      rows.push(symbologyRow(opts, inType, input, stypeOut, iv.s, iv.d0, iv.d1));
    }
  }
  return rows;
}

/**
 * `market_data.symbology` rows from DBN metadata `mappings` (input symbol → output symbol per date range). As with
 * batch symbology.json, a parent request's mappings are keyed by raw symbols (`ESU3`), written as `raw_symbol`.
 */
export function symbologyRowsFromMetadata(
  metadata: Pick<Metadata, 'mappings' | 'stype_in' | 'stype_out' | 'symbols'>,
  opts: SymbologyRowOptions,
): Row[] {
  const stypeIn = metadata.stype_in ?? opts.stypeIn ?? 'raw_symbol';
  const requested = new Set(metadata.symbols);
  const rows: Row[] = [];
  for (const m of metadata.mappings) {
    const inType = requested.size > 0 && !requested.has(m.raw_symbol) ? 'raw_symbol' : stypeIn;
    for (const iv of m.intervals) {
      if (!iv.symbol) continue;
      rows.push(symbologyRow(opts, inType, m.raw_symbol, metadata.stype_out, iv.symbol, iv.start_date, iv.end_date));
    }
  }
  return rows;
}

/** `market_data.roll_calendar` rows (key: series, roll_date). */
export function rollCalendarRows(rolls: readonly Roll[], prov: RowProvenance): Row[] {
  const at = prov.at ?? nowIso();
  return rolls.map((r) => ({
    dataset: prov.dataset,
    series: r.series,
    roll_date: r.roll_date,
    ts_event: r.ts_event,
    from_instrument_id: r.from_instrument_id,
    to_instrument_id: r.to_instrument_id,
    from_symbol: r.from_symbol ?? null,
    to_symbol: r.to_symbol ?? null,
    rule: r.rule,
    from_volume: r.from_volume ?? null,
    to_volume: r.to_volume ?? null,
    source: prov.source,
    computed_at: at,
  }));
}
