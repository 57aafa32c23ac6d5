import type { DbnRecordKind } from './records';

/** Field kinds in DBN records. `c` = c_char (1 byte), `sN` = NUL-padded string of N bytes. */
export type FieldType = 'u8' | 'i8' | 'u16' | 'i16' | 'u32' | 'i32' | 'u64' | 'i64' | 'c' | `s${number}`;
/** [name, type, byte offset]. */
export type FieldDef = readonly [string, FieldType, number];

export interface RecordLayout {
  kind: DbnRecordKind;
  size: number;
  fields: readonly FieldDef[];
  /** Book levels: count, offset of level 0, and whether they are consolidated (publisher ids, no counts). */
  levels?: { count: number; offset: number; consolidated: boolean };
  /** Extra fields only some versions have; decoded into `legacy`. */
  legacy?: readonly FieldDef[];
}

const TRADE_FIELDS: readonly FieldDef[] = [
  ['price', 'i64', 16],
  ['size', 'u32', 24],
  ['action', 'c', 28],
  ['side', 'c', 29],
  ['flags', 'u8', 30],
  ['depth', 'u8', 31],
  ['ts_recv', 'u64', 32],
  ['ts_in_delta', 'i32', 40],
  ['sequence', 'u32', 44],
];

const OHLCV: RecordLayout = {
  kind: 'ohlcv',
  size: 56,
  fields: [
    ['open', 'i64', 16],
    ['high', 'i64', 24],
    ['low', 'i64', 32],
    ['close', 'i64', 40],
    ['volume', 'u64', 48],
  ],
};
const TRADE: RecordLayout = { kind: 'trade', size: 48, fields: TRADE_FIELDS };
const MBP1: RecordLayout = { kind: 'mbp1', size: 80, fields: TRADE_FIELDS, levels: { count: 1, offset: 48, consolidated: false } };
const MBP10: RecordLayout = { kind: 'mbp10', size: 368, fields: TRADE_FIELDS, levels: { count: 10, offset: 48, consolidated: false } };
const MBO: RecordLayout = {
  kind: 'mbo',
  size: 56,
  fields: [
    ['order_id', 'u64', 16],
    ['price', 'i64', 24],
    ['size', 'u32', 32],
    ['flags', 'u8', 36],
    ['channel_id', 'u8', 37],
    ['action', 'c', 38],
    ['side', 'c', 39],
    ['ts_recv', 'u64', 40],
    ['ts_in_delta', 'i32', 48],
    ['sequence', 'u32', 52],
  ],
};
const BBO: RecordLayout = {
  kind: 'bbo',
  size: 80,
  fields: [
    ['price', 'i64', 16],
    ['size', 'u32', 24],
    ['side', 'c', 29],
    ['flags', 'u8', 30],
    ['ts_recv', 'u64', 32],
    ['sequence', 'u32', 44],
  ],
  levels: { count: 1, offset: 48, consolidated: false },
};
const CMBP1: RecordLayout = {
  kind: 'cmbp1',
  size: 80,
  fields: [
    ['price', 'i64', 16],
    ['size', 'u32', 24],
    ['action', 'c', 28],
    ['side', 'c', 29],
    ['flags', 'u8', 30],
    ['ts_recv', 'u64', 32],
    ['ts_in_delta', 'i32', 40],
  ],
  levels: { count: 1, offset: 48, consolidated: true },
};
const CBBO: RecordLayout = {
  kind: 'cbbo',
  size: 80,
  fields: [
    ['price', 'i64', 16],
    ['size', 'u32', 24],
    ['side', 'c', 29],
    ['flags', 'u8', 30],
    ['ts_recv', 'u64', 32],
  ],
  levels: { count: 1, offset: 48, consolidated: true },
};
const STATUS: RecordLayout = {
  kind: 'status',
  size: 40,
  fields: [
    ['ts_recv', 'u64', 16],
    ['action', 'u16', 24],
    ['reason', 'u16', 26],
    ['trading_event', 'u16', 28],
    ['is_trading', 'c', 30],
    ['is_quoting', 'c', 31],
    ['is_short_sell_restricted', 'c', 32],
  ],
};
const IMBALANCE: RecordLayout = {
  kind: 'imbalance',
  size: 112,
  fields: [
    ['ts_recv', 'u64', 16],
    ['ref_price', 'i64', 24],
    ['auction_time', 'u64', 32],
    ['cont_book_clr_price', 'i64', 40],
    ['auct_interest_clr_price', 'i64', 48],
    ['ssr_filling_price', 'i64', 56],
    ['ind_match_price', 'i64', 64],
    ['upper_collar', 'i64', 72],
    ['lower_collar', 'i64', 80],
    ['paired_qty', 'u32', 88],
    ['total_imbalance_qty', 'u32', 92],
    ['market_imbalance_qty', 'u32', 96],
    ['unpaired_qty', 'u32', 100],
    ['auction_type', 'c', 104],
    ['side', 'c', 105],
    ['auction_status', 'u8', 106],
    ['freeze_status', 'u8', 107],
    ['num_extensions', 'u8', 108],
    ['unpaired_side', 'c', 109],
    ['significant_imbalance', 'c', 110],
  ],
};
const STAT_V3: RecordLayout = {
  kind: 'stat',
  size: 80,
  fields: [
    ['ts_recv', 'u64', 16],
    ['ts_ref', 'u64', 24],
    ['price', 'i64', 32],
    ['quantity', 'i64', 40],
    ['sequence', 'u32', 48],
    ['ts_in_delta', 'i32', 52],
    ['stat_type', 'u16', 56],
    ['channel_id', 'u16', 58],
    ['update_action', 'u8', 60],
    ['stat_flags', 'u8', 61],
  ],
};
const STAT_V1: RecordLayout = {
  kind: 'stat',
  size: 64,
  fields: [
    ['ts_recv', 'u64', 16],
    ['ts_ref', 'u64', 24],
    ['price', 'i64', 32],
    ['quantity', 'i32', 40],
    ['sequence', 'u32', 44],
    ['ts_in_delta', 'i32', 48],
    ['stat_type', 'u16', 52],
    ['channel_id', 'u16', 54],
    ['update_action', 'u8', 56],
    ['stat_flags', 'u8', 57],
  ],
};

const DEF_HEAD: readonly FieldDef[] = [
  ['ts_recv', 'u64', 16],
  ['min_price_increment', 'i64', 24],
  ['display_factor', 'i64', 32],
  ['expiration', 'u64', 40],
  ['activation', 'u64', 48],
  ['high_limit_price', 'i64', 56],
  ['low_limit_price', 'i64', 64],
  ['max_price_variation', 'i64', 72],
];

const DEF_V3: RecordLayout = {
  kind: 'definition',
  size: 520,
  fields: [
    ...DEF_HEAD,
    ['unit_of_measure_qty', 'i64', 80],
    ['min_price_increment_amount', 'i64', 88],
    ['price_ratio', 'i64', 96],
    ['strike_price', 'i64', 104],
    ['raw_instrument_id', 'u64', 112],
    ['leg_price', 'i64', 120],
    ['leg_delta', 'i64', 128],
    ['inst_attrib_value', 'i32', 136],
    ['underlying_id', 'u32', 140],
    ['market_depth_implied', 'i32', 144],
    ['market_depth', 'i32', 148],
    ['market_segment_id', 'u32', 152],
    ['max_trade_vol', 'u32', 156],
    ['min_lot_size', 'i32', 160],
    ['min_lot_size_block', 'i32', 164],
    ['min_lot_size_round_lot', 'i32', 168],
    ['min_trade_vol', 'u32', 172],
    ['contract_multiplier', 'i32', 176],
    ['decay_quantity', 'i32', 180],
    ['original_contract_size', 'i32', 184],
    ['leg_instrument_id', 'u32', 188],
    ['leg_ratio_price_numerator', 'i32', 192],
    ['leg_ratio_price_denominator', 'i32', 196],
    ['leg_ratio_qty_numerator', 'i32', 200],
    ['leg_ratio_qty_denominator', 'i32', 204],
    ['leg_underlying_id', 'u32', 208],
    ['appl_id', 'i16', 212],
    ['maturity_year', 'u16', 214],
    ['decay_start_date', 'u16', 216],
    ['channel_id', 'u16', 218],
    ['leg_count', 'u16', 220],
    ['leg_index', 'u16', 222],
    ['currency', 's4', 224],
    ['settl_currency', 's4', 228],
    ['secsubtype', 's6', 232],
    ['raw_symbol', 's71', 238],
    ['group', 's21', 309],
    ['exchange', 's5', 330],
    ['asset', 's11', 335],
    ['cfi', 's7', 346],
    ['security_type', 's7', 353],
    ['unit_of_measure', 's31', 360],
    ['underlying', 's21', 391],
    ['strike_price_currency', 's4', 412],
    ['leg_raw_symbol', 's71', 416],
    ['instrument_class', 'c', 487],
    ['match_algorithm', 'c', 488],
    ['main_fraction', 'u8', 489],
    ['price_display_format', 'u8', 490],
    ['sub_fraction', 'u8', 491],
    ['underlying_product', 'u8', 492],
    ['security_update_action', 'c', 493],
    ['maturity_month', 'u8', 494],
    ['maturity_day', 'u8', 495],
    ['maturity_week', 'u8', 496],
    ['user_defined_instrument', 'c', 497],
    ['contract_multiplier_unit', 'i8', 498],
    ['flow_schedule_type', 'i8', 499],
    ['tick_rule', 'u8', 500],
    ['leg_instrument_class', 'c', 501],
    ['leg_side', 'c', 502],
  ],
};

const DEF_V2: RecordLayout = {
  kind: 'definition',
  size: 400,
  fields: [
    ...DEF_HEAD,
    ['unit_of_measure_qty', 'i64', 88],
    ['min_price_increment_amount', 'i64', 96],
    ['price_ratio', 'i64', 104],
    ['strike_price', 'i64', 112],
    ['inst_attrib_value', 'i32', 120],
    ['underlying_id', 'u32', 124],
    ['raw_instrument_id', 'u32', 128],
    ['market_depth_implied', 'i32', 132],
    ['market_depth', 'i32', 136],
    ['market_segment_id', 'u32', 140],
    ['max_trade_vol', 'u32', 144],
    ['min_lot_size', 'i32', 148],
    ['min_lot_size_block', 'i32', 152],
    ['min_lot_size_round_lot', 'i32', 156],
    ['min_trade_vol', 'u32', 160],
    ['contract_multiplier', 'i32', 164],
    ['decay_quantity', 'i32', 168],
    ['original_contract_size', 'i32', 172],
    ['appl_id', 'i16', 178],
    ['maturity_year', 'u16', 180],
    ['decay_start_date', 'u16', 182],
    ['channel_id', 'u16', 184],
    ['currency', 's4', 186],
    ['settl_currency', 's4', 190],
    ['secsubtype', 's6', 194],
    ['raw_symbol', 's71', 200],
    ['group', 's21', 271],
    ['exchange', 's5', 292],
    ['asset', 's7', 297],
    ['cfi', 's7', 304],
    ['security_type', 's7', 311],
    ['unit_of_measure', 's31', 318],
    ['underlying', 's21', 349],
    ['strike_price_currency', 's4', 370],
    ['instrument_class', 'c', 374],
    ['match_algorithm', 'c', 375],
    ['main_fraction', 'u8', 377],
    ['price_display_format', 'u8', 378],
    ['sub_fraction', 'u8', 380],
    ['underlying_product', 'u8', 381],
    ['security_update_action', 'c', 382],
    ['maturity_month', 'u8', 383],
    ['maturity_day', 'u8', 384],
    ['maturity_week', 'u8', 385],
    ['user_defined_instrument', 'c', 386],
    ['contract_multiplier_unit', 'i8', 387],
    ['flow_schedule_type', 'i8', 388],
    ['tick_rule', 'u8', 389],
  ],
  legacy: [
    ['trading_reference_price', 'i64', 80],
    ['trading_reference_date', 'u16', 176],
    ['md_security_trading_status', 'u8', 376],
    ['settl_price_type', 'u8', 379],
  ],
};

const DEF_V1: RecordLayout = {
  kind: 'definition',
  size: 360,
  fields: [
    ...DEF_HEAD,
    ['unit_of_measure_qty', 'i64', 88],
    ['min_price_increment_amount', 'i64', 96],
    ['price_ratio', 'i64', 104],
    ['inst_attrib_value', 'i32', 112],
    ['underlying_id', 'u32', 116],
    ['raw_instrument_id', 'u32', 120],
    ['market_depth_implied', 'i32', 124],
    ['market_depth', 'i32', 128],
    ['market_segment_id', 'u32', 132],
    ['max_trade_vol', 'u32', 136],
    ['min_lot_size', 'i32', 140],
    ['min_lot_size_block', 'i32', 144],
    ['min_lot_size_round_lot', 'i32', 148],
    ['min_trade_vol', 'u32', 152],
    ['contract_multiplier', 'i32', 160],
    ['decay_quantity', 'i32', 164],
    ['original_contract_size', 'i32', 168],
    ['appl_id', 'i16', 178],
    ['maturity_year', 'u16', 180],
    ['decay_start_date', 'u16', 182],
    ['channel_id', 'u16', 184],
    ['currency', 's4', 186],
    ['settl_currency', 's4', 190],
    ['secsubtype', 's6', 194],
    ['raw_symbol', 's22', 200],
    ['group', 's21', 222],
    ['exchange', 's5', 243],
    ['asset', 's7', 248],
    ['cfi', 's7', 255],
    ['security_type', 's7', 262],
    ['unit_of_measure', 's31', 269],
    ['underlying', 's21', 300],
    ['strike_price_currency', 's4', 321],
    ['instrument_class', 'c', 325],
    ['strike_price', 'i64', 328],
    ['match_algorithm', 'c', 342],
    ['main_fraction', 'u8', 344],
    ['price_display_format', 'u8', 345],
    ['sub_fraction', 'u8', 347],
    ['underlying_product', 'u8', 348],
    ['security_update_action', 'c', 349],
    ['maturity_month', 'u8', 350],
    ['maturity_day', 'u8', 351],
    ['maturity_week', 'u8', 352],
    ['user_defined_instrument', 'c', 353],
    ['contract_multiplier_unit', 'i8', 354],
    ['flow_schedule_type', 'i8', 355],
    ['tick_rule', 'u8', 356],
  ],
  legacy: [
    ['trading_reference_price', 'i64', 80],
    ['trading_reference_date', 'u16', 176],
    ['md_security_trading_status', 'u8', 343],
    ['settl_price_type', 'u8', 346],
  ],
};

const ERROR_V2: RecordLayout = {
  kind: 'error',
  size: 320,
  fields: [
    ['err', 's302', 16],
    ['code', 'u8', 318],
    ['is_last', 'u8', 319],
  ],
};
const ERROR_V1: RecordLayout = { kind: 'error', size: 80, fields: [['err', 's64', 16]] };
const SYSTEM_V2: RecordLayout = {
  kind: 'system',
  size: 320,
  fields: [
    ['msg', 's303', 16],
    ['code', 'u8', 319],
  ],
};
const SYSTEM_V1: RecordLayout = { kind: 'system', size: 80, fields: [['msg', 's64', 16]] };
const SYMBOL_MAPPING_V2: RecordLayout = {
  kind: 'symbol_mapping',
  size: 176,
  fields: [
    ['stype_in', 'u8', 16],
    ['stype_in_symbol', 's71', 17],
    ['stype_out', 'u8', 88],
    ['stype_out_symbol', 's71', 89],
    ['start_ts', 'u64', 160],
    ['end_ts', 'u64', 168],
  ],
};
const SYMBOL_MAPPING_V1: RecordLayout = {
  kind: 'symbol_mapping',
  size: 80,
  fields: [
    ['stype_in_symbol', 's22', 16],
    ['stype_out_symbol', 's22', 38],
    ['start_ts', 'u64', 64],
    ['end_ts', 'u64', 72],
  ],
};

/** Layout of an rtype in a DBN version, or undefined for rtypes we skip. */
export function layoutFor(rtype: number, version: 1 | 2 | 3): RecordLayout | undefined {
  switch (rtype) {
    case 0x00:
      return TRADE;
    case 0x01:
      return MBP1;
    case 0x0a:
      return MBP10;
    case 0x11:
    case 0x20:
    case 0x21:
    case 0x22:
    case 0x23:
    case 0x24:
      return OHLCV;
    case 0x12:
      return version === 1 ? undefined : STATUS; // v1 status had a different, unpublished layout
    case 0x13:
      return version === 1 ? DEF_V1 : version === 2 ? DEF_V2 : DEF_V3;
    case 0x14:
      return IMBALANCE;
    case 0x15:
      return version === 1 ? ERROR_V1 : ERROR_V2;
    case 0x16:
      return version === 1 ? SYMBOL_MAPPING_V1 : SYMBOL_MAPPING_V2;
    case 0x17:
      return version === 1 ? SYSTEM_V1 : SYSTEM_V2;
    case 0x18:
      return version === 3 ? STAT_V3 : STAT_V1;
    case 0xa0:
      return MBO;
    case 0xb1:
    case 0xc2:
      return CMBP1;
    case 0xc0:
    case 0xc1:
      return CBBO;
    case 0xc3:
    case 0xc4:
      return BBO;
    default:
      return undefined;
  }
}

/** The rtype an encoder writes for a record kind when the record itself doesn't say (it always does via hd). */
export const DEFAULT_RTYPE: Partial<Record<DbnRecordKind, number>> = {
  trade: 0x00,
  mbp1: 0x01,
  mbp10: 0x0a,
  status: 0x12,
  definition: 0x13,
  imbalance: 0x14,
  error: 0x15,
  symbol_mapping: 0x16,
  system: 0x17,
  stat: 0x18,
  mbo: 0xa0,
};
