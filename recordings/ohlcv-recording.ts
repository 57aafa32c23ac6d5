import type { OhlcvSchema } from '../domain/databento-enums';
import type { OhlcvColumns } from '../dbn/ohlcv-columns';

/** Real recorded OHLCV bars as exact columns, in file order. */
export interface OhlcvRecording {
  dataset: 'GLBX.MDP3';
  schema: OhlcvSchema;
  columns: OhlcvColumns;
  /** Per row: the recording's symbol text (raw contract like NQZ5, or continuous like ZL.c.0). */
  symbol: string[];
  /** File path (or directory for multi-file recordings). */
  source: string;
}
