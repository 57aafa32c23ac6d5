import { z } from 'zod';

const positiveInt = z.number().int().positive();

/** Fault switches; JSON-settable via `POST /_gateway/faults`, or mutated directly on `gateway.faults`. */
export const faultSwitchesSchema = z
  .object({
    /** the next `count` requests get 429 with `Retry-After` */
    rateLimit: z.object({ count: positiveInt, retryAfterSeconds: z.number().int().nonnegative() }).strict(),
    /** the next `count` requests get this 5xx */
    serverError: z.object({ count: positiveInt, status: z.union([z.literal(500), z.literal(502), z.literal(503), z.literal(504)]) }).strict(),
    /** destroy the socket after `bytes` body bytes of a streamed body (get_range, batch download); `count` responses (default 1) */
    resetAfterBytes: z.object({ bytes: z.number().int().nonnegative(), count: positiveInt.optional() }).strict(),
    /** throttle streamed bodies to about this rate until cleared */
    slowBody: z.object({ bytesPerSecond: positiveInt }).strict(),
    /** restrict every fault to these paths (exact, or prefix when ending in `/`); default: every /v0 and /fred path */
    onlyPaths: z.array(z.string().startsWith('/')),
  })
  .partial()
  .strict();

export type FaultSwitches = z.infer<typeof faultSwitchesSchema>;

export type RequestFault =
  | { kind: 'rateLimit'; retryAfterSeconds: number }
  | { kind: 'serverError'; status: 500 | 502 | 503 | 504 };

export interface BodyFault {
  resetAfterBytes?: number;
  bytesPerSecond?: number;
}

export function faultApplies(faults: FaultSwitches, path: string): boolean {
  if (path.startsWith('/_gateway/')) return false;
  if (!faults.onlyPaths || faults.onlyPaths.length === 0) return true;
  return faults.onlyPaths.some((p) => (p.endsWith('/') ? path.startsWith(p) : path === p));
}

/** Consumes one request-level fault (429 before 5xx), decrementing its count in place. */
export function takeRequestFault(faults: FaultSwitches, path: string): RequestFault | undefined {
  if (!faultApplies(faults, path)) return undefined;
  if (faults.rateLimit) {
    const { retryAfterSeconds } = faults.rateLimit;
    if (--faults.rateLimit.count <= 0) delete faults.rateLimit;
    return { kind: 'rateLimit', retryAfterSeconds };
  }
  if (faults.serverError) {
    const { status } = faults.serverError;
    if (--faults.serverError.count <= 0) delete faults.serverError;
    return { kind: 'serverError', status };
  }
  return undefined;
}

/** Consumes the body-level faults for one streamed response. */
export function takeBodyFault(faults: FaultSwitches, path: string): BodyFault {
  if (!faultApplies(faults, path)) return {};
  const out: BodyFault = {};
  if (faults.resetAfterBytes) {
    out.resetAfterBytes = faults.resetAfterBytes.bytes;
    const left = (faults.resetAfterBytes.count ?? 1) - 1;
    if (left <= 0) delete faults.resetAfterBytes;
    else faults.resetAfterBytes.count = left;
  }
  if (faults.slowBody) out.bytesPerSecond = faults.slowBody.bytesPerSecond;
  return out;
}

export function clearFaults(faults: FaultSwitches): void {
  for (const key of Object.keys(faults) as (keyof FaultSwitches)[]) delete faults[key];
}
