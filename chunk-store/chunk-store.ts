import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { parseTimeNs } from '../domain/time';

/** What a finished chunk file is: enough to load, audit and re-verify it without re-downloading. */
export const chunkManifestSchema = z.object({
  version: z.literal(1),
  chunkId: z.string(),
  series: z.string(),
  file: z.string(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  /** size of the compressed file on disk */
  fileBytes: z.number().int().nonnegative(),
  /** uncompressed DBN record bytes (what Databento bills) */
  recordBytes: z.number().int().nonnegative(),
  records: z.number().int().nonnegative(),
  costUsd: z.number().nonnegative().nullable(),
  request: z.object({
    dataset: z.string(),
    schema: z.string(),
    symbols: z.array(z.string()),
    stypeIn: z.string(),
    start: z.string(),
    end: z.string(),
  }),
  requestIds: z.array(z.string()),
  /** how many times the download resumed from a partial file */
  resumes: z.number().int().nonnegative(),
  /** bytes of response bodies received for this chunk, across resumes */
  bytesRequested: z.number().int().nonnegative(),
  warnings: z.array(z.string()),
  createdAt: z.string(),
});
export type ChunkManifest = z.infer<typeof chunkManifestSchema>;
export type ChunkRequest = ChunkManifest['request'];

/** Whether two requests ask for exactly the same data (times compared as instants, not as text). */
export function sameRequest(a: ChunkRequest, b: ChunkRequest): boolean {
  return (
    a.dataset === b.dataset &&
    a.schema === b.schema &&
    a.stypeIn === b.stypeIn &&
    a.symbols.join('\u0000') === b.symbols.join('\u0000') &&
    parseTimeNs(a.start) === parseTimeNs(b.start) &&
    parseTimeNs(a.end) === parseTimeNs(b.end)
  );
}

export interface ChunkLocation {
  dataset: string;
  schema: string;
  symbol: string;
  chunkId: string;
}

/** Thrown when a stored chunk no longer matches its manifest (disk corruption, partial copy). */
export class ChunkIntegrityError extends Error {
  override readonly name = 'ChunkIntegrityError';
  readonly code = 'CHUNK_INTEGRITY';
  constructor(
    message: string,
    readonly file: string,
  ) {
    super(message);
  }
}

const safe = (s: string) => s.replace(/[^A-Za-z0-9._-]/g, '_');

/**
 * Chunk files under a root folder (DATA_DIR). Every write goes to a temp file and is renamed into place,
 * so a crash never leaves a half-written file under a final name.
 */
export class ChunkStore {
  constructor(readonly root: string) {}

  dir(loc: ChunkLocation): string {
    return path.join(this.root, safe(loc.dataset), safe(loc.schema), safe(loc.symbol));
  }

  paths(loc: ChunkLocation) {
    const base = path.join(this.dir(loc), safe(loc.chunkId));
    return {
      file: `${base}.dbn.zst`,
      manifest: `${base}.manifest.json`,
      report: `${base}.validation.json`,
      /** metadata bytes of the first response, kept so a resumed download can finish the file */
      metaPart: `${base}.meta.part`,
      /** complete uncompressed records received so far */
      recordsPart: `${base}.records.part`,
      quarantine: path.join(this.root, '_quarantine', safe(loc.dataset), safe(loc.schema), safe(loc.symbol)),
    };
  }

  async writeAtomic(file: string, data: Uint8Array | string): Promise<void> {
    await mkdir(path.dirname(file), { recursive: true });
    const tmp = `${file}.tmp-${process.pid}-${Date.now()}`;
    await writeFile(tmp, data);
    await rename(tmp, file);
  }

  async readManifest(loc: ChunkLocation): Promise<ChunkManifest | null> {
    const p = this.paths(loc).manifest;
    let text: string;
    try {
      text = await readFile(p, 'utf8');
    } catch {
      return null;
    }
    return chunkManifestSchema.parse(JSON.parse(text));
  }

  /**
   * The manifest when the chunk file exists, still matches it and (given `request`) answers exactly that request;
   * null when the chunk must be (re)downloaded. A file is never reused for another range by its id alone.
   */
  async verified(loc: ChunkLocation, request?: ChunkRequest): Promise<ChunkManifest | null> {
    const manifest = await this.readManifest(loc).catch(() => null);
    if (!manifest || (request && !sameRequest(manifest.request, request))) return null;
    try {
      const bytes = await readFile(manifest.file);
      if (sha256(bytes) !== manifest.sha256) return null;
    } catch {
      return null;
    }
    return manifest;
  }

  async writeManifest(loc: ChunkLocation, manifest: ChunkManifest): Promise<void> {
    await this.writeAtomic(this.paths(loc).manifest, `${JSON.stringify(manifest, null, 2)}\n`);
  }

  /** Reads a chunk file, checking it against its manifest first. */
  async readVerified(loc: ChunkLocation): Promise<{ manifest: ChunkManifest; bytes: Uint8Array }> {
    const manifest = await this.readManifest(loc);
    if (!manifest) throw new ChunkIntegrityError(`no manifest for chunk ${loc.chunkId}`, this.paths(loc).manifest);
    const bytes = await readFile(manifest.file);
    const actual = sha256(bytes);
    if (actual !== manifest.sha256) {
      throw new ChunkIntegrityError(
        `chunk ${loc.chunkId} file sha256 ${actual} does not match manifest ${manifest.sha256}`,
        manifest.file,
      );
    }
    return { manifest, bytes };
  }

  /** Moves a chunk (file, manifest, report) aside so it is never loaded by mistake. */
  async quarantine(loc: ChunkLocation): Promise<string> {
    const p = this.paths(loc);
    await mkdir(p.quarantine, { recursive: true });
    for (const f of [p.file, p.manifest, p.report]) {
      try {
        await rename(f, path.join(p.quarantine, path.basename(f)));
      } catch {
        // absent files are fine: quarantine is idempotent
      }
    }
    return p.quarantine;
  }

  /** Moves a quarantined chunk back into place (an operator accepted it); false when nothing was quarantined. */
  async restoreFromQuarantine(loc: ChunkLocation): Promise<boolean> {
    const p = this.paths(loc);
    let restored = false;
    for (const f of [p.file, p.manifest, p.report]) {
      try {
        await rename(path.join(p.quarantine, path.basename(f)), f);
        if (f === p.file) restored = true;
      } catch {
        // already in place, or never written
      }
    }
    return restored || this.exists(p.file);
  }

  /** Forgets a chunk everywhere (live and quarantined copies, partial downloads) so the next attempt fetches it anew. */
  async discard(loc: ChunkLocation): Promise<void> {
    const p = this.paths(loc);
    const quarantined = [p.file, p.manifest, p.report].map((f) => path.join(p.quarantine, path.basename(f)));
    await Promise.all([p.file, p.manifest, p.report, p.metaPart, p.recordsPart, ...quarantined].map((f) => rm(f, { force: true })));
  }

  async exists(file: string): Promise<boolean> {
    return stat(file).then(
      () => true,
      () => false,
    );
  }
}

export function sha256(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}
