import { createReadStream } from 'node:fs';
import { once } from 'node:events';
import { type Command, Option } from 'commander';
import { DbnDecodeError, decodeDbnStream, decodeOhlcvStream } from '../../dbn/decode';
import { createCsvRenderer } from '../../dbn/render-csv';
import { createJsonRenderer } from '../../dbn/render-json';
import type { Metadata } from '../../dbn/metadata';
import { encodingSchema } from '../../domain/databento-enums';

interface DecodeOptions {
  encoding: 'csv' | 'json';
  prettyPx: boolean;
  prettyTs: boolean;
  mapSymbols: boolean;
}

async function write(out: NodeJS.WritableStream, chunk: string | Uint8Array): Promise<void> {
  if (chunk.length === 0) return;
  if (!out.write(chunk)) await once(out, 'drain');
}

/**
 * Streams a DBN file (zstd or not, v1–v3) to `out` as Databento CSV/JSON text, header first. zstd frame checksums
 * are verified as each frame ends: a corrupt file fails with DbnDecodeError `DBN_ZSTD_CHECKSUM` (rows of the frame
 * may have been written by then). Decode errors name the file.
 */
export async function decodeDbnFileToText(file: string, opts: DecodeOptions, out: NodeJS.WritableStream = process.stdout): Promise<void> {
  try {
    await decodeToText(file, opts, out);
  } catch (err) {
    // the same error, led by the file it is about (no cause: describeError would print the message twice)
    if (err instanceof DbnDecodeError) throw new DbnDecodeError(err.code, `${file}: ${err.message}`, err.offset, err.recordsBefore);
    throw err;
  }
}

async function decodeToText(file: string, opts: DecodeOptions, out: NodeJS.WritableStream): Promise<void> {
  const renderOpts = { pretty_px: opts.prettyPx, pretty_ts: opts.prettyTs, map_symbols: opts.mapSymbols };
  const makeRenderer = (m: Metadata) => (opts.encoding === 'csv' ? createCsvRenderer(m, renderOpts) : createJsonRenderer(m, renderOpts));
  // OHLCV files take the columnar fast path; everything else goes record by record.
  const head = await readHead(file);
  const ohlcv = head?.schema?.startsWith('ohlcv-') ?? false;
  let renderer: ReturnType<typeof makeRenderer> | null = null;
  if (ohlcv) {
    for await (const item of decodeOhlcvStream(createReadStream(file))) {
      if ('metadata' in item) {
        renderer = makeRenderer(item.metadata);
        await write(out, renderer.header());
      } else await write(out, renderer!.rowsBytes(item.columns));
    }
    return;
  }
  for await (const item of decodeDbnStream(createReadStream(file))) {
    if ('metadata' in item) {
      renderer = makeRenderer(item.metadata);
      if (opts.encoding === 'csv' && item.metadata.schema === null) {
        throw new Error('CSV needs a single-schema file; this one mixes record types (use --encoding json)');
      }
      await write(out, renderer.header());
    } else await write(out, renderer!.rows(item.records));
  }
}

/** Just the metadata (to choose the decoding path); null if the file has none we can read. */
async function readHead(file: string): Promise<Metadata | null> {
  const stream = createReadStream(file);
  try {
    for await (const item of decodeDbnStream(stream)) if ('metadata' in item) return item.metadata;
  } catch {
    return null; // the full decode below reports the error properly
  } finally {
    stream.destroy();
  }
  return null;
}

export function register(program: Command): void {
  const dbn = program.command('dbn').description('DBN files: decode to Databento CSV/JSON text');
  dbn
    .command('decode <file>')
    .description("print a DBN file's records (v1-v3, .dbn or .dbn.zst) as Databento CSV or JSON lines, header first")
    .addOption(new Option('--encoding <encoding>', 'output text encoding').choices(['csv', 'json']).default('csv'))
    .option('--no-pretty-px', 'print prices as raw 1e-9 integers')
    .option('--no-pretty-ts', 'print timestamps as integer nanoseconds')
    .option('--no-map-symbols', 'omit the symbol column')
    .addHelpText(
      'after',
      '\nzstd frame checksums are verified as each frame ends: a corrupt file exits non-zero with DBN_ZSTD_CHECKSUM\n' +
        '(rows already printed from the failing frame are not to be trusted; re-download the file).',
    )
    .action(async (file: string, o: { encoding: string; prettyPx: boolean; prettyTs: boolean; mapSymbols: boolean }) => {
      const encoding = encodingSchema.exclude(['dbn']).parse(o.encoding);
      await decodeDbnFileToText(file, { encoding, prettyPx: o.prettyPx, prettyTs: o.prettyTs, mapSymbols: o.mapSymbols });
    });
}
