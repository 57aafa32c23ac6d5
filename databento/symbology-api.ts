import type { HttpTransport } from './http-transport';
import type { CallOptions } from './metadata-api';
import { parseInput } from './parse-input';
import { resolveInputSchema, resolveResponseSchema, type ResolveInput, type ResolveResponse } from './schemas';

/** `symbology.resolve`: a read-only POST, retried like metadata calls. */
export class SymbologyApi {
  readonly #t: HttpTransport;
  constructor(transport: HttpTransport) {
    this.#t = transport;
  }

  async resolve(q: ResolveInput, opts: CallOptions = {}): Promise<ResolveResponse> {
    const input = parseInput('symbology.resolve', resolveInputSchema, q);
    const params: Record<string, string> = {
      dataset: input.dataset,
      symbols: input.symbols.join(','),
      stype_in: input.stypeIn,
      stype_out: input.stypeOut,
      start_date: input.startDate,
    };
    if (input.endDate) params.end_date = input.endDate;
    return this.#t.json({ method: 'POST', endpoint: 'symbology.resolve', params, signal: opts.signal }, resolveResponseSchema, { retry: true });
  }
}
