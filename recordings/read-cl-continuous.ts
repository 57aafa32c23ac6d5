import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseTimeNs } from '../domain/time';
import { allocOhlcvColumns } from '../dbn/ohlcv-columns';
import { parsePx } from '../dbn/price';
import type { OhlcvRecording } from './ohlcv-recording';
import { schemaFromRtypes } from './read-databento-ohlcv-csv';
import { cachedRecording } from './recording-cache';
import { RecordingParseError } from './recording-parse-error';

export const CL_CONTINUOUS_FILE = 'databento-cl-continuous/futures_oil_prices.json';

const KEYS = ['rtype', 'publisher_id', 'instrument_id', 'open', 'high', 'low', 'close', 'volume', 'symbol', 'timestamp'] as const;
// One flat object: "key": number | "string". JSON.parse would turn 71.9 into a float, so scan the text.
const OBJECT = /\{([^{}]*)\}/g;
const MEMBER = /\s*"([a-z_]+)"\s*:\s*("(?:[^"\\]*)"|-?\d+(?:\.\d+)?)\s*(?:,|$)/gy;

/**
 * CL.n.0 and CL.n.1 ohlcv-1d for 2024 (626 rows, file order). Prices are USD/bbl decimals in the
 * JSON text, parsed exactly from their source text; `timestamp` (ISO, µs) becomes ts_event.
 */
export function readClContinuous(dataDir: string): Promise<OhlcvRecording> {
  const file = path.resolve(dataDir, CL_CONTINUOUS_FILE);
  return cachedRecording(`cl:${file}`, async () => {
    const text = await readFile(file, 'latin1');
    const trimmed = text.trim();
    if (!trimmed.startsWith('[') || !trimmed.endsWith(']')) throw new RecordingParseError(file, 1, 'expected a JSON array');
    const objects = [...text.matchAll(OBJECT)];
    const c = allocOhlcvColumns(objects.length);
    const symbol: string[] = [];
    objects.forEach((m, i) => {
      const lineNo = text.slice(0, m.index).split('\n').length;
      const fail = (detail: string): never => {
        throw new RecordingParseError(file, lineNo, detail);
      };
      const body = m[1].trim();
      const rec = new Map<string, string>();
      MEMBER.lastIndex = 0;
      let consumed = 0;
      for (let mm = MEMBER.exec(body); mm; mm = MEMBER.exec(body)) {
        rec.set(mm[1], mm[2]);
        consumed = MEMBER.lastIndex;
      }
      if (consumed !== body.length) fail(`unparseable object member near ${JSON.stringify(body.slice(consumed, consumed + 40))}`);
      for (const k of KEYS) if (!rec.has(k)) fail(`missing ${k}`);
      if (rec.size !== KEYS.length) fail(`unexpected keys ${[...rec.keys()].filter((k) => !KEYS.includes(k as never)).join(',')}`);
      const str = (k: string) => {
        const v = rec.get(k)!;
        if (!v.startsWith('"')) fail(`${k} must be a string`);
        return v.slice(1, -1);
      };
      const int = (k: string, max: number) => {
        const v = rec.get(k)!;
        if (!/^\d+$/.test(v) || Number(v) > max) fail(`${k} must be an integer <= ${max}: ${v}`);
        return Number(v);
      };
      try {
        c.rtype[i] = int('rtype', 0xff);
        c.publisher_id[i] = int('publisher_id', 0xffff);
        c.instrument_id[i] = int('instrument_id', 0xffffffff);
        for (const k of ['open', 'high', 'low', 'close'] as const) c[k][i] = parsePx(rec.get(k)!);
        const vol = rec.get('volume')!;
        if (!/^\d+$/.test(vol)) fail(`volume must be an integer: ${vol}`);
        c.volume[i] = BigInt(vol);
        c.ts_event[i] = parseTimeNs(str('timestamp'));
        symbol.push(str('symbol'));
      } catch (err) {
        if (err instanceof RecordingParseError) throw err;
        fail((err as Error).message);
      }
    });
    return { dataset: 'GLBX.MDP3', schema: schemaFromRtypes(c, file), columns: c, symbol, source: file };
  });
}
