/**
 * DBN records as plain objects, named and shaped like dbn's structs. Prices are i64 at 1e-9 (bigint),
 * timestamps u64 ns (bigint); UNDEF sentinels are kept as they are. `kind` is the discriminant.
 * c_char fields are one-character strings ('' for NUL).
 */

export const RTYPE = {
  MBP_0: 0x00,
  MBP_1: 0x01,
  MBP_10: 0x0a,
  OHLCV_DEPRECATED: 0x11,
  STATUS: 0x12,
  INSTRUMENT_DEF: 0x13,
  IMBALANCE: 0x14,
  ERROR: 0x15,
  SYMBOL_MAPPING: 0x16,
  SYSTEM: 0x17,
  STATISTICS: 0x18,
  OHLCV_1S: 0x20,
  OHLCV_1M: 0x21,
  OHLCV_1H: 0x22,
  OHLCV_1D: 0x23,
  OHLCV_EOD: 0x24,
  MBO: 0xa0,
  CMBP_1: 0xb1,
  CBBO_1S: 0xc0,
  CBBO_1M: 0xc1,
  TCBBO: 0xc2,
  BBO_1S: 0xc3,
  BBO_1M: 0xc4,
} as const;

export interface RecordHeader {
  /** Record length in 4-byte words. */
  length: number;
  rtype: number;
  publisher_id: number;
  instrument_id: number;
  ts_event: bigint;
}

interface Base {
  hd: RecordHeader;
  /** Live gateway send time; present only when metadata.ts_out. */
  ts_out?: bigint;
}

export interface BidAskPair {
  bid_px: bigint;
  ask_px: bigint;
  bid_sz: number;
  ask_sz: number;
  bid_ct: number;
  ask_ct: number;
}

export interface ConsolidatedBidAskPair {
  bid_px: bigint;
  ask_px: bigint;
  bid_sz: number;
  ask_sz: number;
  bid_pb: number;
  ask_pb: number;
}

export interface OhlcvMsg extends Base {
  kind: 'ohlcv';
  open: bigint;
  high: bigint;
  low: bigint;
  close: bigint;
  volume: bigint;
}

export interface TradeMsg extends Base {
  kind: 'trade';
  price: bigint;
  size: number;
  action: string;
  side: string;
  flags: number;
  depth: number;
  ts_recv: bigint;
  ts_in_delta: number;
  sequence: number;
}

export interface Mbp1Msg extends Omit<TradeMsg, 'kind'> {
  kind: 'mbp1';
  levels: [BidAskPair];
}

export interface Mbp10Msg extends Omit<TradeMsg, 'kind'> {
  kind: 'mbp10';
  levels: BidAskPair[];
}

export interface MboMsg extends Base {
  kind: 'mbo';
  order_id: bigint;
  price: bigint;
  size: number;
  flags: number;
  channel_id: number;
  action: string;
  side: string;
  ts_recv: bigint;
  ts_in_delta: number;
  sequence: number;
}

/** bbo-1s / bbo-1m. */
export interface BboMsg extends Base {
  kind: 'bbo';
  price: bigint;
  size: number;
  side: string;
  flags: number;
  ts_recv: bigint;
  sequence: number;
  levels: [BidAskPair];
}

/** cmbp-1 / tcbbo. */
export interface Cmbp1Msg extends Base {
  kind: 'cmbp1';
  price: bigint;
  size: number;
  action: string;
  side: string;
  flags: number;
  ts_recv: bigint;
  ts_in_delta: number;
  levels: [ConsolidatedBidAskPair];
}

/** cbbo-1s / cbbo-1m. */
export interface CbboMsg extends Base {
  kind: 'cbbo';
  price: bigint;
  size: number;
  side: string;
  flags: number;
  ts_recv: bigint;
  levels: [ConsolidatedBidAskPair];
}

export interface StatusMsg extends Base {
  kind: 'status';
  ts_recv: bigint;
  action: number;
  reason: number;
  trading_event: number;
  is_trading: string;
  is_quoting: string;
  is_short_sell_restricted: string;
}

/** Statistics. `quantity` is i64 in v3 (UNDEF i64::MAX) and i32 in v1/v2 (UNDEF i32::MAX), widened to bigint. */
export interface StatMsg extends Base {
  kind: 'stat';
  ts_recv: bigint;
  ts_ref: bigint;
  price: bigint;
  quantity: bigint;
  sequence: number;
  ts_in_delta: number;
  stat_type: number;
  channel_id: number;
  update_action: number;
  stat_flags: number;
}

export interface ImbalanceMsg extends Base {
  kind: 'imbalance';
  ts_recv: bigint;
  ref_price: bigint;
  auction_time: bigint;
  cont_book_clr_price: bigint;
  auct_interest_clr_price: bigint;
  ssr_filling_price: bigint;
  ind_match_price: bigint;
  upper_collar: bigint;
  lower_collar: bigint;
  paired_qty: number;
  total_imbalance_qty: number;
  market_imbalance_qty: number;
  unpaired_qty: number;
  auction_type: string;
  side: string;
  auction_status: number;
  freeze_status: number;
  num_extensions: number;
  unpaired_side: string;
  significant_imbalance: string;
}

/**
 * Instrument definition, in the v3 field set. Fields that a version lacks are at their dbn defaults
 * (UNDEF_PRICE for prices, '' for strings, 0 for numbers); v1/v2-only fields are kept in `legacy`.
 */
export interface InstrumentDefMsg extends Base {
  kind: 'definition';
  ts_recv: bigint;
  min_price_increment: bigint;
  display_factor: bigint;
  expiration: bigint;
  activation: bigint;
  high_limit_price: bigint;
  low_limit_price: bigint;
  max_price_variation: bigint;
  unit_of_measure_qty: bigint;
  min_price_increment_amount: bigint;
  price_ratio: bigint;
  strike_price: bigint;
  raw_instrument_id: bigint;
  leg_price: bigint;
  leg_delta: bigint;
  inst_attrib_value: number;
  underlying_id: number;
  market_depth_implied: number;
  market_depth: number;
  market_segment_id: number;
  max_trade_vol: number;
  min_lot_size: number;
  min_lot_size_block: number;
  min_lot_size_round_lot: number;
  min_trade_vol: number;
  contract_multiplier: number;
  decay_quantity: number;
  original_contract_size: number;
  leg_instrument_id: number;
  leg_ratio_price_numerator: number;
  leg_ratio_price_denominator: number;
  leg_ratio_qty_numerator: number;
  leg_ratio_qty_denominator: number;
  leg_underlying_id: number;
  appl_id: number;
  maturity_year: number;
  decay_start_date: number;
  channel_id: number;
  leg_count: number;
  leg_index: number;
  currency: string;
  settl_currency: string;
  secsubtype: string;
  raw_symbol: string;
  group: string;
  exchange: string;
  asset: string;
  cfi: string;
  security_type: string;
  unit_of_measure: string;
  underlying: string;
  strike_price_currency: string;
  leg_raw_symbol: string;
  instrument_class: string;
  match_algorithm: string;
  main_fraction: number;
  price_display_format: number;
  sub_fraction: number;
  underlying_product: number;
  security_update_action: string;
  maturity_month: number;
  maturity_day: number;
  maturity_week: number;
  user_defined_instrument: string;
  contract_multiplier_unit: number;
  flow_schedule_type: number;
  tick_rule: number;
  leg_instrument_class: string;
  leg_side: string;
  /** Fields only v1/v2 carry. */
  legacy?: {
    trading_reference_price: bigint;
    trading_reference_date: number;
    md_security_trading_status: number;
    settl_price_type: number;
  };
}

export interface ErrorMsg extends Base {
  kind: 'error';
  err: string;
  code: number;
  is_last: number;
}

export interface SystemMsg extends Base {
  kind: 'system';
  msg: string;
  code: number;
}

export interface SymbolMappingMsg extends Base {
  kind: 'symbol_mapping';
  stype_in: number;
  stype_in_symbol: string;
  stype_out: number;
  stype_out_symbol: string;
  start_ts: bigint;
  end_ts: bigint;
}

export type DbnRecord =
  | OhlcvMsg
  | TradeMsg
  | Mbp1Msg
  | Mbp10Msg
  | MboMsg
  | BboMsg
  | Cmbp1Msg
  | CbboMsg
  | StatusMsg
  | StatMsg
  | ImbalanceMsg
  | InstrumentDefMsg
  | ErrorMsg
  | SystemMsg
  | SymbolMappingMsg;

export type DbnRecordKind = DbnRecord['kind'];
