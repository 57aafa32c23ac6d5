import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { envSchema } from '../../config/env';
import { repoRoot } from '../support/market-data-dir';

interface Service {
  image?: string;
  build?: { context: string; dockerfile: string };
  environment?: Record<string, string>;
  ports?: string[];
  volumes?: string[];
  depends_on?: Record<string, { condition: string }> | string[];
  healthcheck?: { test: string[] };
  command?: string[] | string;
}

const compose = parse(readFileSync(path.join(repoRoot, 'docker-compose.yml'), 'utf8')) as {
  services: Record<string, Service>;
  volumes: Record<string, unknown>;
};
const dockerfile = readFileSync(path.join(repoRoot, 'Dockerfile'), 'utf8');
const dockerignore = readFileSync(path.join(repoRoot, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim()).filter(Boolean);
const deps = (s: Service) => (Array.isArray(s.depends_on) ? s.depends_on : Object.keys(s.depends_on ?? {}));

describe('docker-compose.yml: a production-like stack', () => {
  const { services } = compose;

  it('has postgres, Temporal on postgres, the UI, the worker and the schedules one-shot', () => {
    expect(Object.keys(services).sort()).toEqual(['postgresql', 'schedules-apply', 'temporal', 'temporal-ui', 'worker']);
    expect(services.postgresql.image).toBe('postgres:16');
    expect(services.postgresql.healthcheck?.test.join(' ')).toMatch(/pg_isready/);
    expect(services.temporal.image).toMatch(/^temporalio\/auto-setup:\d+\.\d+\.\d+$/);
    expect(services.temporal.environment).toMatchObject({ DB: 'postgres12', POSTGRES_SEEDS: 'postgresql' });
    expect(services.temporal.depends_on).toEqual({ postgresql: { condition: 'service_healthy' } });
    expect(services.temporal.ports).toContain('7233:7233');
    expect(services['temporal-ui'].image).toMatch(/^temporalio\/ui:\d+\.\d+\.\d+$/);
    expect(services['temporal-ui'].environment?.TEMPORAL_ADDRESS).toBe('temporal:7233');
    expect(services['temporal-ui'].ports).toContain('8080:8080');
  });

  it('every depends_on names a service, every named volume is declared, data lives on volumes', () => {
    for (const [name, s] of Object.entries(services)) {
      for (const d of deps(s)) expect(Object.keys(services), `${name} depends on ${d}`).toContain(d);
      for (const v of s.volumes ?? []) {
        const source = v.split(':')[0];
        if (!source.startsWith('.') && !source.startsWith('/')) expect(Object.keys(compose.volumes), `${name} volume ${source}`).toContain(source);
      }
    }
    expect(services.postgresql.volumes).toContain('postgres-data:/var/lib/postgresql/data');
  });

  it('the worker: built from the Dockerfile, BigQuery, its key from the host, chunks on a volume', () => {
    const worker = services.worker;
    expect(worker.build).toEqual({ context: '.', dockerfile: 'Dockerfile' });
    expect(deps(worker)).toContain('temporal');
    const env = worker.environment ?? {};
    expect(env.TEMPORAL_ADDRESS).toBe('temporal:7233');
    expect(env.WAREHOUSE).toBe('bigquery');
    // required from the host environment, never written into the file
    expect(env.DATABENTO_API_KEY).toMatch(/^\$\{DATABENTO_API_KEY:\?[^}]*\}$/);
    expect(env.GOOGLE_CLOUD_PROJECT).toMatch(/^\$\{GOOGLE_CLOUD_PROJECT:\?[^}]*\}$/);
    expect(env.FRED_API_KEY).toMatch(/^\$\{FRED_API_KEY:-\}$/);
    const dataVolume = (worker.volumes ?? []).map((v) => v.split(':')[1]).find((target) => env.DATA_DIR.startsWith(`${target}/`) || env.DATA_DIR === target);
    expect(dataVolume, `DATA_DIR ${env.DATA_DIR} on a volume`).toBeDefined();
  });

  it('every variable given to our containers is one config/env.ts parses, and the values parse', () => {
    const known = Object.keys(envSchema.shape);
    for (const name of ['worker', 'schedules-apply']) {
      const env = services[name].environment ?? {};
      for (const key of Object.keys(env)) expect(known, `${name}: ${key}`).toContain(key);
      // with the host's ${VAR:-default} interpolation applied, the env parses
      const resolved = Object.fromEntries(
        Object.entries(env).map(([k, v]) => [k, v.replace(/\$\{[A-Z_]+(?::[-?]([^}]*))?\}/g, (_m, d) => (k.endsWith('_API_KEY') || k === 'GOOGLE_CLOUD_PROJECT' ? 'from-host' : (d ?? '')))]),
      );
      expect(envSchema.safeParse(Object.fromEntries(Object.entries(resolved).filter(([, v]) => v !== ''))).success, name).toBe(true);
    }
    expect(services['schedules-apply'].command).toEqual(['node', '--import', 'tsx', 'cli/main.ts', 'schedules', 'apply']);
  });
});

describe('Dockerfile: the worker image', () => {
  it('is glibc node 20, installs with npm ci and runs the worker', () => {
    expect(dockerfile).toMatch(/^FROM node:20-bookworm-slim$/m);
    expect(dockerfile).toMatch(/^RUN npm ci\b/m);
    const cmd = /^CMD (\[.*\])$/m.exec(dockerfile);
    expect(cmd).not.toBeNull();
    expect(JSON.parse(cmd![1])).toEqual(['node', '--import', 'tsx', 'workers/main.ts']);
    expect(dockerfile).toMatch(/^USER node$/m);
  });

  it('copies every local module the worker and the CLI import, and nothing copied is ignored', () => {
    const copied = [...dockerfile.matchAll(/^COPY (\S+) \.\/(\S+)$/gm)].map((m) => m[1]);
    for (const src of copied) expect(existsSync(path.join(repoRoot, src)), src).toBe(true);
    for (const src of copied) expect(dockerignore, `${src} is copied but ignored`).not.toContain(src);

    // walk relative imports from the entry points
    const entries = ['workers/main.ts', 'cli/main.ts', ...readdirSync(path.join(repoRoot, 'cli/commands')).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts')).map((f) => `cli/commands/${f}`)];
    const seen = new Set<string>();
    const queue = [...entries];
    while (queue.length) {
      const rel = queue.pop()!;
      if (seen.has(rel)) continue;
      seen.add(rel);
      const text = readFileSync(path.join(repoRoot, rel), 'utf8');
      for (const m of text.matchAll(/(?:from|import\()\s*'(\.{1,2}\/[^']+)'/g)) {
        const base = path.join(path.dirname(rel), m[1]);
        const file = [`${base}.ts`, `${base}/index.ts`, base].find((f) => existsSync(path.join(repoRoot, f)) && f.endsWith('.ts'));
        if (file) queue.push(path.normalize(file));
      }
    }
    expect(seen.size).toBeGreaterThan(30);
    const outside = [...seen].filter((f) => !copied.some((dir) => f.startsWith(`${dir}/`)));
    expect(outside).toEqual([]);
  });
});
