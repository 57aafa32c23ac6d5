import { createHash, randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { formatTsNs, utcDate } from '../domain/time';
import { businessError } from './gateway-error';
import type { OutputOptions, RangeQuery } from './request-params';

export const splitDurationSchema = z.enum(['none', 'day', 'month', 'year']);
export type SplitDuration = z.infer<typeof splitDurationSchema>;

export type JobState = 'queued' | 'processing' | 'done' | 'expired';

export interface BatchFile {
  filename: string;
  size: number;
  hash: string;
}

/** Databento's job object (fields as the official clients parse them). */
export interface BatchJob {
  id: string;
  user_id: string;
  cost_usd: number;
  dataset: string;
  symbols: string;
  stype_in: string;
  stype_out: string;
  schema: string;
  start: string;
  end: string;
  limit: number | null;
  encoding: string;
  compression: string | null;
  pretty_px: boolean;
  pretty_ts: boolean;
  map_symbols: boolean;
  split_symbols: boolean;
  split_duration: SplitDuration | null;
  split_size: number | null;
  packaging: null;
  delivery: 'download';
  record_count: number;
  billed_size: number;
  actual_size: number;
  package_size: number;
  state: JobState;
  ts_received: string;
  ts_queued: string | null;
  ts_process_start: string | null;
  ts_process_done: string | null;
  ts_expiration: string | null;
  progress: number;
}

/** One output file's content, produced by the gateway from the recordings. */
export interface JobPart {
  start: bigint;
  end: bigint;
}

const NS_PER_MS = 1_000_000n;

/** `[start, end)` split into UTC days, months or years (or not at all). */
export function splitRange(start: bigint, end: bigint, split: SplitDuration): JobPart[] {
  if (split === 'none') return [{ start, end }];
  const parts: JobPart[] = [];
  let at = start;
  while (at < end) {
    const d = new Date(Number(at / NS_PER_MS));
    const next =
      split === 'day'
        ? Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 1)
        : split === 'month'
          ? Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1)
          : Date.UTC(d.getUTCFullYear() + 1, 0, 1);
    const nextNs = BigInt(next) * NS_PER_MS;
    parts.push({ start: at, end: nextNs < end ? nextNs : end });
    at = nextNs;
  }
  return parts;
}

/** Databento-style file name: `glbx-mdp3-20100606-20251231.ohlcv-1h.csv.zst`, day splits `glbx-mdp3-20251001.ohlcv-1m.dbn.zst`. */
export function batchFileName(dataset: string, part: JobPart, split: SplitDuration, schema: string, opts: OutputOptions): string {
  const prefix = dataset.toLowerCase().replace(/\./g, '-');
  const first = utcDate(part.start).replace(/-/g, '');
  const last = utcDate(part.end - 1n).replace(/-/g, '');
  const dates = split === 'day' ? first : `${first}-${last}`;
  return `${prefix}-${dates}.${schema}.${opts.encoding}${opts.compression === 'zstd' ? '.zst' : ''}`;
}

function jobId(dataset: string, now: Date): string {
  const venue = dataset.split('.')[0].toUpperCase();
  const day = now.toISOString().slice(0, 10).replace(/-/g, '');
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
  const suffix = [...randomBytes(10)].map((b) => alphabet[b % alphabet.length]).join('');
  return `${venue}-${day}-${suffix}`;
}

function nowTs(now: Date): string {
  return formatTsNs(BigInt(now.getTime()) * NS_PER_MS);
}

export interface ProducedFile {
  filename: string;
  bytes: Uint8Array;
}

/** Batch jobs of one gateway; files live under `dir/<job_id>/`. Jobs complete during submit (queued → done). */
export class BatchJobStore {
  private readonly jobs = new Map<string, { job: BatchJob; files: BatchFile[] }>();

  constructor(
    readonly dir: string,
    readonly userId: string,
  ) {}

  async submit(
    q: RangeQuery,
    opts: OutputOptions,
    extra: { split_duration: SplitDuration; split_symbols: boolean; cost_usd: number; billed_size: number; record_count: number },
    files: ProducedFile[],
  ): Promise<BatchJob> {
    const now = new Date();
    const id = jobId(q.dataset, now);
    const jobDir = path.join(this.dir, id);
    await mkdir(jobDir, { recursive: true });
    const stored: BatchFile[] = [];
    for (const f of files) {
      await writeFile(path.join(jobDir, f.filename), f.bytes);
      stored.push({ filename: f.filename, size: f.bytes.length, hash: `sha256:${createHash('sha256').update(f.bytes).digest('hex')}` });
    }
    const ts = nowTs(now);
    const actual = stored.reduce((n, f) => n + f.size, 0);
    const job: BatchJob = {
      id,
      user_id: this.userId,
      cost_usd: extra.cost_usd,
      dataset: q.dataset,
      symbols: q.symbols.join(','),
      stype_in: q.stype_in,
      stype_out: q.stype_out,
      schema: q.schema,
      start: formatTsNs(q.start),
      end: formatTsNs(q.end),
      limit: q.limit === 0 ? null : q.limit,
      encoding: opts.encoding,
      compression: opts.compression,
      pretty_px: opts.pretty_px,
      pretty_ts: opts.pretty_ts,
      map_symbols: opts.map_symbols,
      split_symbols: extra.split_symbols,
      split_duration: extra.split_duration,
      split_size: null,
      packaging: null,
      delivery: 'download',
      record_count: extra.record_count,
      billed_size: extra.billed_size,
      actual_size: actual,
      package_size: actual,
      state: 'done',
      ts_received: ts,
      ts_queued: ts,
      ts_process_start: ts,
      ts_process_done: ts,
      ts_expiration: formatTsNs((BigInt(now.getTime()) + 30n * 86_400_000n) * NS_PER_MS),
      progress: 100,
    };
    this.jobs.set(id, { job, files: stored });
    return job;
  }

  list(states: JobState[], since?: bigint): BatchJob[] {
    return [...this.jobs.values()]
      .map((j) => j.job)
      .filter((j) => states.includes(j.state))
      .filter((j) => since === undefined || BigInt(Date.parse(j.ts_received.slice(0, 23) + 'Z')) * NS_PER_MS >= since);
  }

  get(id: string): BatchJob {
    const j = this.jobs.get(id);
    if (!j) throw businessError(404, 'batch_job_not_found', `Batch job '${id}' not found.`, { job_id: id });
    return j.job;
  }

  files(id: string, baseUrl: string): (BatchFile & { urls: { https: string; ftp: string } })[] {
    this.get(id);
    return this.jobs.get(id)!.files.map((f) => ({
      ...f,
      urls: { https: `${baseUrl}/v0/batch/download/${this.userId}/${id}/${encodeURIComponent(f.filename)}`, ftp: '' },
    }));
  }

  /** Path of a stored file, or a 404 business error. */
  filePath(user: string, id: string, filename: string): string {
    const j = this.jobs.get(id);
    if (user !== this.userId || !j || !j.files.some((f) => f.filename === filename)) {
      throw businessError(404, 'batch_file_not_found', `File '${filename}' of job '${id}' not found.`, { job_id: id, filename });
    }
    return path.join(this.dir, id, filename);
  }
}
