import { constants } from 'node:fs';
import { access, mkdir, statfs } from 'node:fs/promises';
import { ApplicationFailure } from '@temporalio/common';

const MIB = 1 << 20;

/**
 * Disk a chunk download needs: its records as they arrive (the quote's billable size, uncompressed), then the
 * compressed final file beside them (well under that), and a margin.
 */
export const roomNeeded = (billableBytes: number): number => Math.ceil(billableBytes * 1.25) + MIB;

/**
 * Checks, before anything is requested, that the chunk store can take a download: the directory can be created
 * and written, and its file system has `needBytes` free. Otherwise the activity fails for good with the path and
 * what is needed: retrying a paid request into a full or read-only disk only pays again.
 */
export async function ensureRoom(dir: string, needBytes: number, chunkId: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
    await access(dir, constants.W_OK);
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw ApplicationFailure.nonRetryable(
      `the chunk store cannot be written at ${dir} (${why}): make DATA_DIR writable or point it elsewhere, then start the run again; nothing was requested for chunk ${chunkId}`,
      'ChunkStoreUnwritable',
    );
  }
  const fs = await statfs(dir);
  const free = fs.bavail * fs.bsize;
  if (free < needBytes) {
    throw ApplicationFailure.nonRetryable(
      `the chunk store at ${dir} has ${free} bytes free and chunk ${chunkId} needs about ${needBytes}: free space or point DATA_DIR elsewhere, then start the run again; nothing was requested`,
      'ChunkStoreFull',
    );
  }
}
