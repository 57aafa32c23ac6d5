import { appendFile, mkdir, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Decompress } from 'fzstd';
import { Encoder } from '@toondepauw/node-zstd';
import { isoSeconds } from '../domain/time';
import { type ChunkLocation, type ChunkManifest, type ChunkStore, sameRequest, sha256 } from './chunk-store';
import { tryDecodeMetadata } from '../dbn/metadata';
import { parseTimeNs } from '../domain/time';
import { DbnRecordFramer, scanRecords } from '../dbn/record-framer';

export interface RangeRequest {
  dataset: string;
  schema: string;
  symbols: string[];
  stypeIn: string;
  start: string;
  end: string;
}

/** The one client call a download needs; the Databento HistoricalClient satisfies it. */
export interface RangeStreamSource {
  getRangeStream(
    request: RangeRequest & { encoding: 'dbn'; compression: 'zstd' },
    options?: { signal?: AbortSignal },
  ): Promise<{ body: AsyncIterable<Uint8Array>; requestId?: string; warnings?: { message: string }[] | string[] }>;
}

export interface DownloadProgress {
  records: number;
  recordBytes: number;
  bytesReceived: number;
  lastTsEvent: string | null;
}

export interface DownloadChunkOptions {
  store: ChunkStore;
  location: ChunkLocation & { series: string };
  request: RangeRequest;
  source: RangeStreamSource;
  costUsd: number | null;
  signal?: AbortSignal;
  /** called after every persisted batch; the activity heartbeats from it */
  onProgress?: (p: DownloadProgress) => void;
}

/** A get_range body ended in the middle of a record. */
export class IncompleteStreamError extends Error {
  override readonly name = 'IncompleteStreamError';
  readonly code = 'DOWNLOAD_INCOMPLETE';
  constructor(
    message: string,
    readonly completeRecords: number,
  ) {
    super(message);
  }
}

/**
 * Downloads one chunk as DBN into the store, resumably: complete records are appended to a part file as they
 * arrive, and a retry re-requests only from the last complete timestamp (records at that timestamp are
 * dropped and fetched again, since several instruments share one ts_event). The final file is
 * metadata + records, zstd-compressed, sha256-recorded in a manifest, written by rename.
 */
export async function downloadChunk(opts: DownloadChunkOptions): Promise<ChunkManifest> {
  const { store, location, request, source } = opts;
  const existing = await store.verified(location, request);
  if (existing) return existing;
  const prior = await priorManifest(store, location, request);

  const p = store.paths(location);
  await mkdir(path.dirname(p.file), { recursive: true });

  // resume state from a previous attempt (possibly a killed process)
  const resume = await resumeFromParts(p, request);
  let metadata = resume.metadata;
  const { resumeStart, priorRecords, priorRecordBytes } = resume;
  const resumes = resume.resumes + (prior?.resumes ?? 0);

  const response = await source.getRangeStream(
    { ...request, start: resumeStart, encoding: 'dbn', compression: 'zstd' },
    { signal: opts.signal },
  );
  const framer = new DbnRecordFramer();
  let bytesReceived = 0;
  let records = priorRecords;
  let recordBytes = priorRecordBytes;
  const pendingWrites: Uint8Array[] = [];
  const decompressor = new Decompress((chunk) => {
    const complete = framer.push(chunk);
    if (complete.length) pendingWrites.push(complete);
  });

  const flush = async () => {
    if (!metadata && framer.metadata) {
      metadata = framer.metadata;
      await store.writeAtomic(p.metaPart, metadata);
    }
    if (!pendingWrites.length) return;
    const batch = pendingWrites.length === 1 ? pendingWrites[0] : Buffer.concat(pendingWrites);
    pendingWrites.length = 0;
    await appendFile(p.recordsPart, batch);
    recordBytes += batch.length;
    records = priorRecords + framer.records;
    opts.onProgress?.({
      records,
      recordBytes,
      bytesReceived,
      lastTsEvent: framer.lastTsEvent === null ? null : isoFromNs(framer.lastTsEvent),
    });
  };

  try {
    for await (const chunk of response.body) {
      bytesReceived += chunk.length;
      decompressor.push(chunk);
      await flush();
    }
    decompressor.push(new Uint8Array(0), true);
    await flush();
  } catch (err) {
    // keep the complete records that did arrive: the retry resumes after them
    await flush().catch(() => undefined);
    throw err;
  }
  if (framer.trailingBytes > 0) {
    throw new IncompleteStreamError(
      `get_range body for ${location.chunkId} ended inside a record (${framer.trailingBytes} stray bytes after ${records} complete records)`,
      records,
    );
  }
  if (!metadata) throw new IncompleteStreamError(`get_range body for ${location.chunkId} had no DBN metadata`, 0);

  const written = await writeFinalFile(store, p.file, metadata, p.recordsPart);
  const manifest: ChunkManifest = {
    version: 1,
    chunkId: location.chunkId,
    series: location.series,
    ...written,
    costUsd: opts.costUsd,
    request,
    requestIds: [...(prior?.requestIds ?? []), ...(response.requestId ? [response.requestId] : [])],
    resumes,
    bytesRequested: (prior?.bytesRequested ?? 0) + bytesReceived,
    warnings: (response.warnings ?? []).map((w) => (typeof w === 'string' ? w : w.message)),
    createdAt: new Date().toISOString(),
  };
  await store.writeManifest(location, manifest);
  await Promise.all([rm(p.metaPart, { force: true }), rm(p.recordsPart, { force: true })]);
  return manifest;
}

interface ResumeState {
  /** the DBN metadata kept from an earlier attempt, or null to take it from the new response */
  metadata: Uint8Array | null;
  resumeStart: string;
  resumes: number;
  priorRecords: number;
  priorRecordBytes: number;
}

/**
 * Prepares the part files for this attempt: keeps the complete records of an earlier attempt that are strictly
 * before its last timestamp (truncating the rest) and says where to resume, or starts the part files afresh.
 */
async function resumeFromParts(p: { metaPart: string; recordsPart: string }, request: RangeRequest): Promise<ResumeState> {
  const requestStart = request.start;
  const metadata: Uint8Array | null = await readFile(p.metaPart).catch(() => null);
  if (!metadata || !partsAnswer(metadata, request)) {
    await rm(p.recordsPart, { force: true });
    return { metadata: null, resumeStart: requestStart, resumes: 0, priorRecords: 0, priorRecordBytes: 0 };
  }
  const part = await readFile(p.recordsPart).catch(() => new Uint8Array(0));
  const scan = scanRecords(part);
  if (scan.records > 0 && scan.lastTsEvent !== null && scan.lastTsStart > 0) {
    // keep records strictly before the last timestamp; re-fetch from it
    await truncate(p.recordsPart, scan.lastTsStart);
    return {
      metadata,
      resumeStart: isoFromNs(scan.lastTsEvent),
      resumes: 1,
      priorRecords: scanRecords(part.subarray(0, scan.lastTsStart)).records,
      priorRecordBytes: scan.lastTsStart,
    };
  }
  await writeFile(p.recordsPart, new Uint8Array(0));
  return { metadata: null, resumeStart: requestStart, resumes: 0, priorRecords: 0, priorRecordBytes: 0 };
}

/**
 * The manifest of an earlier download of this request (its resumes and request ids carry over). One of another
 * request under the same id (an id from before ids encoded their range) is discarded with its files: start afresh.
 */
async function priorManifest(store: ChunkStore, location: ChunkLocation, request: RangeRequest): Promise<ChunkManifest | null> {
  const prior = await store.readManifest(location).catch(() => null);
  if (!prior || sameRequest(prior.request, request)) return prior;
  await store.discard(location);
  return null;
}

/** whether part files whose DBN metadata is `metadata` were downloaded for `request` (its range, as Databento echoes it) */
function partsAnswer(metadata: Uint8Array, request: RangeRequest): boolean {
  const decoded = tryDecodeMetadata(metadata)?.metadata;
  if (!decoded) return false;
  const endOk = decoded.end === null || decoded.end === parseTimeNs(request.end);
  return decoded.start === parseTimeNs(request.start) && endOk;
}

/** Writes metadata + the part file's records as the final zstd file; returns the manifest's fields for it. */
async function writeFinalFile(store: ChunkStore, file: string, metadata: Uint8Array, recordsPart: string) {
  // a range with no records (a weekend, a holiday) never created the part file: the chunk is its metadata alone
  const recordsBytes = await readFile(recordsPart).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return new Uint8Array(0);
    throw err;
  });
  const full = Buffer.concat([metadata, recordsBytes]);
  const compressed = new Encoder(3).encodeSync(full);
  await store.writeAtomic(file, compressed);
  return {
    file,
    sha256: sha256(compressed),
    fileBytes: compressed.length,
    recordBytes: recordsBytes.length,
    records: scanRecords(recordsBytes).records,
  };
}

const isoFromNs = (ns: bigint): string => (ns % 1_000_000_000n === 0n ? isoSeconds(ns) : ns.toString());

