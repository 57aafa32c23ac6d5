/** A recorded data file that does not have the expected shape. Not retryable. */
export class RecordingParseError extends Error {
  override readonly name = 'RecordingParseError';
  readonly code = 'RECORDING_PARSE_ERROR' as const;
  readonly retryable = false;
  constructor(
    readonly file: string,
    readonly line: number,
    detail: string,
  ) {
    super(`${file}:${line}: ${detail}`);
  }
}
