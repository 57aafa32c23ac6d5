import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import { DbnRecordCounter } from './dbn-record-counter';
import { DatabentoResponseError, DatabentoStreamInterruptedError } from './errors';
import type { HttpTransport, TransportResponse } from './http-transport';
import { parseInput } from './parse-input';
import type { DatabentoWarning } from './parse-warnings';
import { getRangeParams, getRangeQuerySchema, type GetRangeQuery, type ParsedGetRangeQuery } from './schemas';

export interface GetRangeResult {
  bytes: number;
  /** hex sha256 of the body exactly as received (compressed when compression=zstd) */
  sha256: string;
  requestId?: string;
  warnings: DatabentoWarning[];
  /** 206 = success with some symbols unresolved (see warnings and the DBN metadata's not_found/partial) */
  status: 200 | 206;
}

export interface GetRangeFileResult extends GetRangeResult {
  path: string;
}

export interface GetRangeStream {
  body: AsyncIterable<Uint8Array>;
  requestId?: string;
  warnings: DatabentoWarning[];
  status: 200 | 206;
}

export interface GetRangeOptions {
  signal?: AbortSignal;
  onProgress?: (p: { bytes: number }) => void;
}

export interface GetRangeFileOptions extends GetRangeOptions {
  /** keep `<path>.part` when the body breaks (its path is on the error); deleted otherwise @default false */
  keepPartial?: boolean;
}

export type GetRangeSink = Writable | ((chunk: Uint8Array) => void | Promise<void>);

const ZSTD_MAGIC = 0xfd2fb528;
const DBN_MAGIC = 0x4e4244; // "DBN" little-endian in the low three bytes

/**
 * `timeseries.get_range`, always streamed (bodies can be gigabytes).
 *
 * Not retried inside the client by default: Databento bills every get_range call for the bytes it sends,
 * so a blind retry can pay twice. The activity layer owns that decision (Temporal retries after a cost check);
 * `retryGetRange: true` on the client opts in for callers that accept the cost.
 */
export class TimeseriesApi {
  readonly #t: HttpTransport;
  readonly #retry: boolean;
  constructor(transport: HttpTransport, opts: { retryGetRange?: boolean } = {}) {
    this.#t = transport;
    this.#retry = opts.retryGetRange ?? false;
  }

  /** Streams the body into `sink` (a Writable, honouring backpressure, or an async callback). */
  async getRange(q: GetRangeQuery, sink: GetRangeSink, opts: GetRangeOptions = {}): Promise<GetRangeResult> {
    const input = parseInput('timeseries.getRange', getRangeQuerySchema, q);
    const write = toWriter(sink);
    return this.#maybeRetry(() => this.#streamTo(input, write, opts), opts.signal);
  }

  /** Writes the raw body (compressed as sent) to `<path>.part`, then renames it to `path`. */
  async getRangeToFile(q: GetRangeQuery, path: string, opts: GetRangeFileOptions = {}): Promise<GetRangeFileResult> {
    const input = parseInput('timeseries.getRangeToFile', getRangeQuerySchema, q);
    const part = `${path}.part`;
    return this.#maybeRetry(async () => {
      const file = await open(part, 'w');
      let result: GetRangeResult;
      try {
        result = await this.#streamTo(input, async (chunk) => void (await file.write(chunk)), opts);
      } catch (err) {
        await file.close();
        throw await this.#withPartialFacts(err, part, opts.keepPartial ?? false);
      }
      await file.close();
      await rename(part, path);
      return { ...result, path };
    }, opts.signal);
  }

  /** The body as an async iterable; a break mid-body throws DatabentoStreamInterruptedError from the iterator. */
  async getRangeStream(q: GetRangeQuery, opts: { signal?: AbortSignal } = {}): Promise<GetRangeStream> {
    const input = parseInput('timeseries.getRangeStream', getRangeQuerySchema, q);
    const res = await this.#maybeRetry(() => this.#open(input, opts.signal), opts.signal);
    const t = this.#t;
    const label = 'POST /v0/timeseries.get_range';
    async function* body(): AsyncGenerator<Uint8Array> {
      let bytes = 0;
      const check = magicChecker(input, res.requestId);
      try {
        for await (const chunk of res.body) {
          check(chunk);
          bytes += chunk.length;
          yield chunk;
        }
      } catch (err) {
        throw t.interrupted(err, label, bytes, res.requestId, opts.signal);
      } finally {
        if (!res.body.destroyed) res.body.destroy();
      }
    }
    return { body: body(), requestId: res.requestId, warnings: res.warnings, status: res.status as 200 | 206 };
  }

  async #open(input: ParsedGetRangeQuery, signal?: AbortSignal): Promise<TransportResponse> {
    const res = await this.#t.open({
      method: 'POST',
      endpoint: 'timeseries.get_range',
      params: getRangeParams(input),
      accept: input.encoding === 'dbn' ? 'application/octet-stream' : '*/*',
      signal,
    });
    if (res.status === 206 && res.warnings.length === 0) {
      const w = { category: 'PartialContent', message: 'HTTP 206: some symbols did not resolve; see not_found/partial in the DBN metadata' };
      this.#t.logger.warn({ requestId: res.requestId }, w.message);
      res.warnings.push(w);
      this.#t.emitWarning(w);
    }
    return res;
  }

  async #streamTo(input: ParsedGetRangeQuery, write: (chunk: Uint8Array) => Promise<void>, opts: GetRangeOptions): Promise<GetRangeResult> {
    const res = await this.#open(input, opts.signal);
    const hash = createHash('sha256');
    const check = magicChecker(input, res.requestId);
    let bytes = 0;
    let sinkError: { error: unknown } | undefined;
    try {
      for await (const chunk of res.body) {
        check(chunk);
        try {
          await write(chunk);
        } catch (error) {
          sinkError = { error }; // a local write failure (disk full...) is not a network interruption
          break;
        }
        hash.update(chunk);
        bytes += chunk.length;
        opts.onProgress?.({ bytes });
      }
    } catch (err) {
      if (!res.body.destroyed) res.body.destroy();
      throw this.#t.interrupted(err, 'POST /v0/timeseries.get_range', bytes, res.requestId, opts.signal);
    }
    if (sinkError) {
      if (!res.body.destroyed) res.body.destroy();
      throw sinkError.error;
    }
    return { bytes, sha256: hash.digest('hex'), requestId: res.requestId, warnings: res.warnings, status: res.status as 200 | 206 };
  }

  /** Adds the complete-record count (and, if kept, the partial path) to a stream interruption. */
  async #withPartialFacts(err: unknown, part: string, keep: boolean): Promise<unknown> {
    const e = err as { code?: string; bytesReceived?: number };
    if (e.code !== 'DATABENTO_STREAM_INTERRUPTED') {
      await rm(part, { force: true });
      return err;
    }
    const completeRecords = await countRecordsInFile(part).catch(() => undefined);
    if (!keep) await rm(part, { force: true });
    const src = err as DatabentoStreamInterruptedError;
    const records = completeRecords !== undefined ? `; ${completeRecords} complete DBN records had arrived` : '';
    return new DatabentoStreamInterruptedError(`${src.message}${records}`, {
      requestId: src.requestId,
      bytesReceived: src.bytesReceived,
      causeCode: src.causeCode,
      completeRecords,
      partialPath: keep ? part : undefined,
    });
  }

  #maybeRetry<T>(fn: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    return this.#retry ? this.#t.retrying(fn, signal, 'POST /v0/timeseries.get_range') : fn();
  }
}

async function countRecordsInFile(path: string): Promise<number | undefined> {
  const counter = new DbnRecordCounter();
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) counter.push(chunk as Buffer);
  return counter.completeRecords;
}

/** A DBN body must start with the zstd or DBN magic; anything else (an HTML page from a proxy) is refused early. */
function magicChecker(input: ParsedGetRangeQuery, requestId: string | undefined): (chunk: Uint8Array) => void {
  if (input.encoding !== 'dbn') return () => {};
  let head = Buffer.alloc(0);
  let done = false;
  return (chunk) => {
    if (done) return;
    head = Buffer.concat([head, chunk]);
    if (head.length < 4) return;
    done = true;
    const magic = head.readUInt32LE(0);
    const ok = input.compression === 'zstd' ? magic === ZSTD_MAGIC || (magic & 0xfffffff0) === 0x184d2a50 : (magic & 0xffffff) === DBN_MAGIC;
    if (!ok) {
      throw new DatabentoResponseError(
        `Databento get_range body is not ${input.compression === 'zstd' ? 'zstd-compressed ' : ''}DBN (first bytes ${head.subarray(0, 4).toString('hex')})${requestId ? ` [request-id: ${requestId}]` : ''}`,
        { requestId },
      );
    }
  };
}

function toWriter(sink: GetRangeSink): (chunk: Uint8Array) => Promise<void> {
  if (typeof sink === 'function') return async (chunk) => void (await sink(chunk));
  return (chunk) =>
    new Promise<void>((resolve, reject) => {
      const onError = (err: Error): void => reject(err);
      sink.once('error', onError);
      const ok = sink.write(chunk, (err) => {
        if (err) reject(err);
      });
      if (ok) {
        sink.off('error', onError);
        resolve();
      } else {
        sink.once('drain', () => {
          sink.off('error', onError);
          resolve();
        });
      }
    });
}
