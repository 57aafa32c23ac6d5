import { describe, expect, it } from 'vitest';
import { batchChunks } from './chunk-batches';

// sizes only (no market values): chunk ids and their quoted billable bytes
const sized = (...bytes: number[]) => bytes.map((billableBytes, i) => ({ id: `c${i}`, billableBytes }));
const ids = (batches: { id: string }[][]) => batches.map((b) => b.map((c) => c.id).join(','));

describe('batchChunks', () => {
  it('groups consecutive chunks, in order, up to maxChunks', () => {
    expect(ids(batchChunks(sized(1, 1, 1, 1, 1, 1, 1), { maxChunks: 3, maxBytes: 100 }))).toEqual(['c0,c1,c2', 'c3,c4,c5', 'c6']);
  });

  it('starts a new batch before the bytes would exceed maxBytes; a chunk larger than that travels alone', () => {
    expect(ids(batchChunks(sized(40, 40, 40, 500, 10, 10), { maxChunks: 8, maxBytes: 100 }))).toEqual(['c0,c1', 'c2', 'c3', 'c4,c5']);
  });

  it('keeps every chunk exactly once', () => {
    const chunks = sized(7, 900, 3, 3, 3, 3, 3, 1000, 1);
    expect(batchChunks(chunks, { maxChunks: 4, maxBytes: 1000 }).flat()).toEqual(chunks);
    expect(batchChunks([], { maxChunks: 4, maxBytes: 1000 })).toEqual([]);
  });

  it('carries one chunk per batch with maxChunks 1 (the unbatched pipeline)', () => {
    expect(ids(batchChunks(sized(1, 1, 1), { maxChunks: 1, maxBytes: 1 << 20 }))).toEqual(['c0', 'c1', 'c2']);
  });
});
