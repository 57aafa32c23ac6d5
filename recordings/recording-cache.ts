/**
 * Parsed recordings, memoized per key (file path + options) for the life of the process:
 * the gateway asks for the same recording on every request. Failed parses are not cached.
 */
const cache = new Map<string, Promise<unknown>>();

export function cachedRecording<T>(key: string, load: () => Promise<T>): Promise<T> {
  let p = cache.get(key) as Promise<T> | undefined;
  if (!p) {
    p = load();
    cache.set(key, p);
    p.catch(() => cache.delete(key));
  }
  return p;
}

export function clearRecordingCache(): void {
  cache.clear();
}
