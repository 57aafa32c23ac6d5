export type DbnDecodeErrorCode =
  | 'DBN_DECODE_ERROR'
  | 'DBN_TRUNCATED'
  | 'DBN_BAD_MAGIC'
  | 'DBN_UNSUPPORTED_VERSION'
  | 'DBN_BAD_METADATA'
  | 'DBN_BAD_RECORD'
  | 'DBN_ZSTD_ERROR'
  /** a zstd frame's content does not match its checksum: the file is corrupt */
  | 'DBN_ZSTD_CHECKSUM';

/**
 * Malformed DBN input. Never retryable: the same bytes fail the same way.
 * `offset` is the byte offset in the decompressed DBN stream; `recordsBefore` counts complete records before it.
 */
export class DbnDecodeError extends Error {
  override readonly name = 'DbnDecodeError';
  readonly retryable = false;
  constructor(
    readonly code: DbnDecodeErrorCode,
    message: string,
    readonly offset: number,
    readonly recordsBefore: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  static truncated(offset: number, recordsBefore: number, what = 'record'): DbnDecodeError {
    return new DbnDecodeError(
      'DBN_TRUNCATED',
      `truncated ${what} at byte ${offset}: ${recordsBefore} complete records before it`,
      offset,
      recordsBefore,
    );
  }
}
