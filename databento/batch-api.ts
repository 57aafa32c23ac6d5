import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, rename, rm, stat } from 'node:fs/promises';
import { DatabentoChecksumError, DatabentoStreamInterruptedError } from './errors';
import type { HttpTransport } from './http-transport';
import type { CallOptions } from './metadata-api';
import { parseInput } from './parse-input';
import {
  batchFileListSchema,
  batchJobSchema,
  downloadFileInputSchema,
  jobIdSchema,
  listJobsInputSchema,
  submitJobInputSchema,
  submitJobParams,
  type BatchFile,
  type BatchJob,
  type JobState,
  type SubmitJobInput,
} from './schemas';

export interface DownloadFileOptions {
  signal?: AbortSignal;
  onProgress?: (p: { bytes: number; total: number }) => void;
}

export interface DownloadFileResult {
  path: string;
  bytes: number;
  sha256: string;
  /** requests made, the first included */
  attempts: number;
  /** byte offsets a `Range` request resumed from (empty when it went through in one piece) */
  resumedFrom: number[];
}

/**
 * `batch.*`. Listing calls are retried; `submitJob` is not (each accepted submission is a billed job).
 * File downloads resume from `<dest>.part` with `Range`, verify sha256, then rename into place.
 */
export class BatchApi {
  readonly #t: HttpTransport;
  constructor(transport: HttpTransport) {
    this.#t = transport;
  }

  async submitJob(q: SubmitJobInput, opts: CallOptions = {}): Promise<BatchJob> {
    const params = submitJobParams(parseInput('batch.submitJob', submitJobInputSchema, q));
    return this.#t.json({ method: 'POST', endpoint: 'batch.submit_job', params, signal: opts.signal }, batchJobSchema, { retry: false });
  }

  async listJobs(q: { states?: JobState[]; since?: string | number | bigint } = {}, opts: CallOptions = {}): Promise<BatchJob[]> {
    const input = parseInput('batch.listJobs', listJobsInputSchema, q);
    const params: Record<string, string> = {};
    if (input.states) params.states = input.states.join(',');
    if (input.since !== undefined) params.since = input.since.toString();
    return this.#t.json({ method: 'GET', endpoint: 'batch.list_jobs', params, signal: opts.signal }, batchJobSchema.array(), { retry: true });
  }

  async getJobDetails(jobId: string, opts: CallOptions = {}): Promise<BatchJob> {
    const id = parseInput('batch.getJobDetails', jobIdSchema, jobId);
    return this.#t.json({ method: 'GET', endpoint: 'batch.get_job_details', params: { job_id: id }, signal: opts.signal }, batchJobSchema, { retry: true });
  }

  async listFiles(jobId: string, opts: CallOptions = {}): Promise<BatchFile[]> {
    const id = parseInput('batch.listFiles', jobIdSchema, jobId);
    return this.#t.json({ method: 'GET', endpoint: 'batch.list_files', params: { job_id: id }, signal: opts.signal }, batchFileListSchema, { retry: true });
  }

  /**
   * Downloads one listed file to `destPath`. The URL's path is resolved against the client's base URL
   * (the Rust client's behaviour, so a local gateway works). Retries resume from the `.part` file's size;
   * a server that answers 200 to a Range request is restarted from byte 0.
   */
  async downloadFile(file: Pick<BatchFile, 'filename' | 'size' | 'hash' | 'urls'>, destPath: string, opts: DownloadFileOptions = {}): Promise<DownloadFileResult> {
    const f = parseInput('batch.downloadFile', downloadFileInputSchema, file);
    const url = this.#t.rebase(f.urls.https);
    const label = `GET ${url.pathname}`;
    const part = `${destPath}.part`;
    const resumedFrom: number[] = [];
    let attempts = 0;

    await this.#t.retrying(async (attempt) => {
      attempts = attempt;
      let offset = await fileSize(part);
      if (offset > f.size) {
        await rm(part, { force: true }); // longer than the listed size: not ours to keep
        offset = 0;
      }
      if (offset === f.size && f.size > 0) return; // an earlier attempt got every byte; verify below
      let res;
      try {
        res = await this.#t.open({
          method: 'GET',
          endpoint: url,
          accept: '*/*',
          headers: offset > 0 ? { range: `bytes=${offset}-` } : {},
          signal: opts.signal,
        });
      } catch (err) {
        if ((err as { status?: number }).status === 416 && offset > 0) return; // nothing left to send; verify below
        throw err;
      }
      let flags: 'a' | 'w' = 'w';
      if (offset > 0 && res.status === 206) {
        const range = parseContentRange(res.headers['content-range']);
        if (!range || range.start !== offset || (range.total !== undefined && range.total !== f.size)) {
          res.body.destroy();
          await rm(part, { force: true });
          throw new DatabentoStreamInterruptedError(
            `Content-Range mismatch resuming ${label} at ${offset}: got ${String(res.headers['content-range'])}; restarting from 0${res.requestId ? ` [request-id: ${res.requestId}]` : ''}`,
            { requestId: res.requestId, bytesReceived: 0 },
          );
        }
        flags = 'a';
        resumedFrom.push(offset);
      } else {
        offset = 0; // a 200 is the whole file again
      }
      const handle = await open(part, flags);
      let bytes = offset;
      try {
        for await (const chunk of res.body) {
          await handle.write(chunk);
          bytes += chunk.length;
          opts.onProgress?.({ bytes, total: f.size });
        }
      } catch (err) {
        if (!res.body.destroyed) res.body.destroy();
        throw this.#t.interrupted(err, label, bytes, res.requestId, opts.signal);
      } finally {
        await handle.close();
      }
    }, opts.signal, label);

    const size = await fileSize(part);
    const expected = f.hash.slice('sha256:'.length);
    const actual = size === f.size ? await sha256File(part) : `(size ${size}, expected ${f.size})`;
    if (actual !== expected) {
      await rm(part, { force: true });
      throw new DatabentoChecksumError(`downloaded ${f.filename} does not match its listed hash: expected sha256:${expected}, got ${actual}; the partial file was deleted`, {
        expected,
        actual,
        file: f.filename,
      });
    }
    await rename(part, destPath);
    this.#t.logger.info({ file: f.filename, bytes: size, attempts, resumedFrom }, 'batch file downloaded and verified');
    return { path: destPath, bytes: size, sha256: actual, attempts, resumedFrom };
  }
}

/** `bytes 100-999/1000` → { start: 100, end: 999, total: 1000 }; `*` total → undefined */
export function parseContentRange(value: string | string[] | undefined): { start: number; end: number; total?: number } | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  const m = v ? /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(v.trim()) : null;
  if (!m) return undefined;
  return { start: Number(m[1]), end: Number(m[2]), total: m[3] === '*' ? undefined : Number(m[3]) };
}

async function fileSize(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    return 0;
  }
}

async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
