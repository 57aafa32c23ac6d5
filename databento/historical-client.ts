import { inspect } from 'node:util';
import { z } from 'zod';
import type { Env } from '../config/env';
import { BatchApi } from './batch-api';
import { DatabentoValidationError } from './errors';
import { DEFAULT_BASE_URL, HttpTransport, type TransportOptions } from './http-transport';
import { MetadataApi } from './metadata-api';
import { SymbologyApi } from './symbology-api';
import { TimeseriesApi } from './timeseries-api';

export interface HistoricalClientOptions extends TransportOptions {
  /**
   * Retry `timeseries.get_range` inside the client. Off by default because every call is billed:
   * the pipeline's activity layer (Temporal retries, after its cost check) decides instead.
   * @default false
   */
  retryGetRange?: boolean;
}

const optionsSchema = z.object({
  // printable ASCII without spaces: anything else would corrupt the Authorization header
  apiKey: z.string().min(1, 'is required (set DATABENTO_API_KEY)').regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces'),
  baseUrl: z
    .url()
    .refine((u) => /^https?:\/\//.test(u), 'must be an http(s) URL')
    .optional(),
  timeoutMs: z.number().int().positive().optional(),
});

/**
 * Client of Databento's Historical HTTP API (`/v0/`), with method names mirroring databento-python in camelCase:
 * `client.metadata.getCost(q)`, `client.timeseries.getRangeToFile(q, path)`, `client.symbology.resolve(q)`,
 * `client.batch.downloadFile(file, dest)`. Owns one undici Agent: call `close()` when done.
 *
 * The API key is held in private fields only; `JSON.stringify(client)` and `util.inspect(client)` show the base URL.
 */
export class HistoricalClient {
  readonly metadata: MetadataApi;
  readonly timeseries: TimeseriesApi;
  readonly symbology: SymbologyApi;
  readonly batch: BatchApi;
  readonly #transport: HttpTransport;

  constructor(opts: HistoricalClientOptions) {
    const checked = optionsSchema.safeParse({ apiKey: opts.apiKey, baseUrl: opts.baseUrl, timeoutMs: opts.timeoutMs });
    if (!checked.success) {
      // issue messages only: zod never echoes the rejected value here, so the key cannot leak
      throw new DatabentoValidationError(
        'HistoricalClient',
        checked.error.issues.map((i) => ({ path: i.path.join('.') || '(options)', message: i.message })),
      );
    }
    this.#transport = new HttpTransport(opts);
    this.metadata = new MetadataApi(this.#transport);
    this.timeseries = new TimeseriesApi(this.#transport, { retryGetRange: opts.retryGetRange });
    this.symbology = new SymbologyApi(this.#transport);
    this.batch = new BatchApi(this.#transport);
  }

  /** From parsed env: `DATABENTO_API_KEY`, `DATABENTO_BASE_URL`. */
  static fromEnv(env: Pick<Env, 'DATABENTO_API_KEY' | 'DATABENTO_BASE_URL'>, opts: Omit<HistoricalClientOptions, 'apiKey' | 'baseUrl'> = {}): HistoricalClient {
    return new HistoricalClient({ ...opts, apiKey: env.DATABENTO_API_KEY ?? '', baseUrl: env.DATABENTO_BASE_URL });
  }

  get baseUrl(): string {
    return this.#transport.baseUrl.href;
  }

  /** Closes the connection pool; in-flight requests finish first. */
  close(): Promise<void> {
    return this.#transport.close();
  }

  toJSON(): Record<string, unknown> {
    return { kind: 'HistoricalClient', baseUrl: this.baseUrl, userAgent: this.#transport.userAgent };
  }

  [inspect.custom](): string {
    return `HistoricalClient { baseUrl: ${JSON.stringify(this.baseUrl)} }`;
  }
}

export { DEFAULT_BASE_URL };
