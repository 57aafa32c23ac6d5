import { parseTimeNs } from '../../domain/time';
import type { OhlcvSchema } from '../../domain/databento-enums';
import type { ChunkLocation, ChunkStore } from '../../chunk-store/chunk-store';
import { decodeOhlcvColumns } from '../../dbn/decode';
import type { Metadata } from '../../dbn/metadata';
import type { OhlcvColumns } from '../../dbn/ohlcv-columns';
import { TsSymbolMap } from '../../dbn/symbol-map';
import { validateOhlcvChunk } from '../../quality/validate-ohlcv-chunk';

/** Reads a stored chunk (checked against its manifest) and runs every validation rule over its bars. */
export async function validateStoredChunk(
  store: ChunkStore,
  location: ChunkLocation,
  range: { schema: OhlcvSchema; start: string; end: string },
): Promise<{ report: ReturnType<typeof validateOhlcvChunk>; columns: OhlcvColumns; metadata: Metadata }> {
  const { bytes } = await store.readVerified(location);
  const { metadata, columns } = decodeOhlcvColumns(bytes);
  const symbols = TsSymbolMap.fromMetadata(metadata);
  const report = validateOhlcvChunk({
    columns,
    schema: range.schema,
    start: parseTimeNs(range.start),
    end: parseTimeNs(range.end),
    symbolFor: (i: number) => symbols.symbolFor(columns.instrument_id[i], columns.ts_event[i]) ?? null,
  });
  return { report, columns, metadata };
}
