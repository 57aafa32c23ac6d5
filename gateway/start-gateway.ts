import { randomUUID, timingSafeEqual } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import pino, { type Logger } from 'pino';
import type { Schema } from '../domain/databento-enums';
import { redactPaths } from '../logging/logger';
import { BatchJobStore } from './batch-jobs';
import { loadCatalog } from './catalog';
import { clearFaults, faultSwitchesSchema, takeRequestFault, type FaultSwitches } from './faults';
import { AUTH_FAILED_DETAIL, businessError, GatewayHttpError } from './gateway-error';
import { createGatewayStats, statsSnapshot, type GatewayStats } from './gateway-stats';
import { batchDownload, ROUTES, sendJson, type RouteContext } from './gateway-router';
import { GATEWAY_PRICE_TABLE_USD_PER_GB } from './price-table';
import { readParams } from './request-params';
import { placeholderDatabentoKey, placeholderFredKey } from './placeholder-keys';

/** The key a gateway accepts unless told otherwise: 32 chars starting `db-`, like a real Databento key. */
export const GATEWAY_TEST_KEY = placeholderDatabentoKey('gateway');
/** The FRED `api_key` a gateway accepts unless told otherwise (FRED keys are 32 lowercase alphanumerics). */
export const GATEWAY_FRED_TEST_KEY = placeholderFredKey('gateway');
/** The user id in batch download paths. */
export const GATEWAY_USER_ID = 'GATEWAY1';

export interface StartGatewayOptions {
  dataDir: string;
  /** 0 (default) = a free port */
  port?: number;
  host?: '127.0.0.1';
  apiKey?: string;
  fredApiKey?: string;
  pricePerGbUsd?: Partial<Record<Schema, number>>;
  logger?: Logger;
}

export interface Gateway {
  url: string;
  port: number;
  faults: FaultSwitches;
  stats: GatewayStats;
  close(): Promise<void>;
}

type FredHandler = (
  req: IncomingMessage,
  res: ServerResponse,
  ctx: { dataDir: string; apiKey: string },
) => Promise<boolean>;

/** The FRED router is another module; load it only if it exists so the gateway works without it. */
async function loadFredHandler(): Promise<FredHandler | undefined> {
  const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fred');
  const file = ['fred-router.ts', 'fred-router.js'].map((f) => path.join(dir, f)).find((f) => existsSync(f));
  if (!file) return undefined;
  const mod = (await import(pathToFileURL(file).href)) as { handleFredRequest?: FredHandler };
  return mod.handleFredRequest;
}

function keyMatches(header: string | undefined, apiKey: string): boolean {
  const m = /^Basic\s+(\S+)$/i.exec(header ?? '');
  if (!m) return false;
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  const user = Buffer.from(colon >= 0 ? decoded.slice(0, colon) : decoded);
  const want = Buffer.from(apiKey);
  return user.length === want.length && timingSafeEqual(user, want);
}

/**
 * Starts the local Databento-compatible gateway over the real recordings in `dataDir`
 * (see gateway/README.md for the catalog). Resolves once it listens.
 */
export async function startGateway(opts: StartGatewayOptions): Promise<Gateway> {
  const log =
    opts.logger ??
    pino({ name: 'gateway', level: process.env.LOG_LEVEL ?? 'warn', redact: { paths: redactPaths, censor: '[redacted]' } }, pino.destination(2));
  const apiKey = opts.apiKey ?? GATEWAY_TEST_KEY;
  const fredApiKey = opts.fredApiKey ?? GATEWAY_FRED_TEST_KEY;
  const catalog = await loadCatalog(opts.dataDir);
  const fred = await loadFredHandler();
  const jobsDir = await mkdtemp(path.join(os.tmpdir(), 'gateway-batch-'));
  const faults: FaultSwitches = {};
  const stats = createGatewayStats();
  let baseUrl = '';
  const ctx: RouteContext = {
    catalog,
    stats,
    faults,
    prices: { ...GATEWAY_PRICE_TABLE_USD_PER_GB, ...opts.pricePerGbUsd } as Record<Schema, number>,
    jobs: new BatchJobStore(jobsDir, GATEWAY_USER_ID),
    baseUrl: () => baseUrl,
    log,
  };
  const access: GatewayAccess = { apiKey, fredApiKey, dataDir: opts.dataDir, fred };

  const server = createServer((req, res) => {
    res.setHeader('request-id', randomUUID());
    handle(ctx, access, req, res).catch((err: unknown) => {
      if (res.headersSent) {
        log.error({ err: (err as Error).message, url: req.url }, 'error after headers were sent; dropping connection');
        res.destroy();
        return;
      }
      if (err instanceof GatewayHttpError) {
        if (err.status >= 500) log.warn({ status: err.status, url: req.url }, 'answering with an error');
        return sendJson(res, err.status, err.body(), err.headers);
      }
      log.error({ err: (err as Error).stack ?? String(err), url: req.url }, 'unhandled gateway error');
      sendJson(res, 500, { detail: 'Internal server error.' });
    });
  });
  // longer than clients' idle timeout so a client never reuses a socket the server is closing
  server.keepAliveTimeout = 65_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  baseUrl = `http://${opts.host ?? '127.0.0.1'}:${port}`;
  log.info({ url: baseUrl, fred: Boolean(fred) }, 'gateway listening');

  return {
    url: baseUrl,
    port,
    faults,
    stats,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await rm(jobsDir, { recursive: true, force: true });
    },
  };
}

/** What a request's keys are checked against, and the optional FRED router. */
interface GatewayAccess {
  apiKey: string;
  fredApiKey: string;
  dataDir: string;
  fred: FredHandler | undefined;
}

/** Answers one request, or throws a GatewayHttpError (or any error: a 500) for the server to answer with. */
async function handle(ctx: RouteContext, access: GatewayAccess, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://gateway.local');
  const pathname = url.pathname;
  if (pathname.startsWith('/_gateway/')) return control(ctx, req, res, pathname);

  const fault = takeRequestFault(ctx.faults, pathname);
  if (fault?.kind === 'rateLimit') {
    count(ctx.stats, pathname);
    throw new GatewayHttpError(429, 'Too many requests.', { 'retry-after': String(fault.retryAfterSeconds) });
  }
  if (fault?.kind === 'serverError') {
    count(ctx.stats, pathname);
    throw new GatewayHttpError(fault.status, fault.status === 503 ? 'Service unavailable.' : 'Internal server error (injected fault).');
  }

  if (pathname.startsWith('/fred/')) {
    count(ctx.stats, pathname);
    if (access.fred && (await access.fred(req, res, { dataDir: access.dataDir, apiKey: access.fredApiKey }))) return;
    throw businessError(404, 'not_found', `Not found: ${pathname}`);
  }
  if (pathname.startsWith('/v0/batch/download/')) {
    count(ctx.stats, pathname);
    if (!keyMatches(req.headers.authorization, access.apiKey)) throw new GatewayHttpError(401, AUTH_FAILED_DETAIL);
    return batchDownload(ctx, req, res, pathname);
  }
  const m = /^\/v0\/([a-z_]+\.[a-z_]+)$/.exec(pathname);
  const route = m ? ROUTES[m[1]] : undefined;
  if (!route) throw businessError(404, 'not_found', `Not found: ${pathname}`);
  count(ctx.stats, pathname);
  if (!keyMatches(req.headers.authorization, access.apiKey)) throw new GatewayHttpError(401, AUTH_FAILED_DETAIL);
  if (!route.methods.includes(req.method ?? 'GET')) {
    throw businessError(405, 'method_not_allowed', `${req.method} is not allowed for ${pathname}; use ${route.methods.join(' or ')}.`);
  }
  const params = await readParams(req, url);
  await route.handler(ctx, params, req, res);
}

function count(stats: GatewayStats, pathname: string): void {
  const name = endpointName(pathname);
  stats.byEndpoint[name] = (stats.byEndpoint[name] ?? 0) + 1;
}

/** `/_gateway/faults` and `/_gateway/stats`: the switches and counters tests drive. */
async function control(ctx: RouteContext, req: IncomingMessage, res: ServerResponse, pathname: string): Promise<void> {
  const { faults, stats } = ctx;
  if (pathname === '/_gateway/faults') {
    if (req.method === 'DELETE') {
      clearFaults(faults);
      return sendJson(res, 200, faults);
    }
    if (req.method === 'POST' || req.method === 'PUT') {
      const chunks: Buffer[] = [];
      for await (const c of req as AsyncIterable<Buffer>) chunks.push(c);
      let body: unknown;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
      } catch {
        throw businessError(400, 'invalid_json', 'fault switches must be a JSON object');
      }
      const parsed = faultSwitchesSchema.safeParse(body);
      if (!parsed.success) throw businessError(400, 'invalid_faults', parsed.error.message);
      Object.assign(faults, parsed.data);
      return sendJson(res, 200, faults);
    }
    if (req.method === 'GET') return sendJson(res, 200, faults);
  }
  if (pathname === '/_gateway/stats') {
    if (req.method === 'DELETE') {
      stats.reset();
      return sendJson(res, 200, statsSnapshot(stats));
    }
    return sendJson(res, 200, statsSnapshot(stats));
  }
  throw businessError(404, 'not_found', `Not found: ${pathname}`);
}

/** `timeseries.get_range`, `batch.download`, `fred`, ... */
function endpointName(pathname: string): string {
  if (pathname.startsWith('/v0/batch/download/')) return 'batch.download';
  if (pathname.startsWith('/fred/')) return 'fred';
  return pathname.replace(/^\/v0\//, '');
}
