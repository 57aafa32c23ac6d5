import type { BackfillStatus } from '../client/pipeline-client';

const BAR_WIDTH = 30;

/** One terminal line: stage, chunk bar, rows, bytes and cost, from the progress queries. */
export function renderProgressLine(status: BackfillStatus): string {
  const chunks = status.series.flatMap((s) => s.chunks);
  const total = chunks.length;
  const done = chunks.filter((c) => c.state === 'loaded' || c.state === 'skipped' || c.state === 'quarantined').length;
  const filled = total ? Math.round((done / total) * BAR_WIDTH) : 0;
  const rows = status.series.reduce((s, x) => s + x.rowsLoaded, 0);
  const bytes = status.series.reduce((s, x) => s + x.bytesDownloaded, 0);
  const cost = status.series.reduce((s, x) => s + x.costUsd, 0);
  const stage = status.progress?.stage ?? status.status.toLowerCase();
  return `${stage.padEnd(18)} [${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}] ${done}/${total} chunks  ${rows} rows  ${(bytes / 1e6).toFixed(1)} MB  $${cost.toFixed(4)}`;
}

const GLYPH: Record<string, string> = {
  loaded: '█',
  skipped: '█',
  validated: '▓',
  downloaded: '▒',
  downloading: '░',
  quarantined: 'Q',
  failed: 'X',
  pending: '·',
  quoted: '·',
};

/** A row of chunk states per series, like a partition status bar. */
export function renderChunkBar(states: string[]): string {
  return states.map((s) => GLYPH[s] ?? '?').join('');
}
