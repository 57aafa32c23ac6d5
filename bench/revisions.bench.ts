/**
 * `npm run bench:revisions -- --against <git-rev> --bench pipeline|load [--pairs N]`: the working tree's code beside
 * another revision's code, measured side by side in one invocation. The revision is checked out in a temporary
 * detached worktree (removed at the end, also on failure or Ctrl-C) that borrows the working tree's node_modules and
 * .tools by symlink, so both sides run with the same dependencies. Each pair runs each tree's own bench script once as
 * a child process in that tree, alternating which side goes first, and parses the figures it prints.
 * Ratios are working / other revision, per figure; the verdict only says whether the per-pair ratios all lie on one
 * side of 1. Hidden option `--working <dir>`: another checkout (with its own node_modules) stands in for the working
 * tree.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { parseEnv } from '../config/env';
import { machineLine } from './machine';
import { median } from './median';
import { type Worktree, SHARED_DIRS, addWorktree, git, resolveRev } from './worktree';

interface Figure {
  label: string;
  unit: 's' | 'rows/s';
  /** the first capture group is the figure */
  pattern: RegExp;
}

interface Bench {
  script: string;
  nodeArgs: string[];
  env: Record<string, string>;
  pairs: number;
  /** the first is the main figure */
  figures: Figure[];
}

const BENCHES: Record<string, Bench> = {
  pipeline: {
    script: 'bench/pipeline.bench.ts',
    nodeArgs: ['--expose-gc', '--import', 'tsx'],
    env: { BENCH_RUNS: '1', BENCH_REFERENCE_RUNS: '1' },
    pairs: 5,
    figures: [
      { label: 'through Temporal', unit: 's', pattern: /^through Temporal\s*: ([\d.]+) s/m },
      { label: 'direct activities', unit: 's', pattern: /^direct activities\s*: ([\d.]+) s/m },
    ],
  },
  load: {
    script: 'bench/load.bench.ts',
    nodeArgs: ['--import', 'tsx'],
    env: { BENCH_RUNS: '1', BENCH_EMULATOR: '0' },
    pairs: 5,
    figures: [
      // `duckdb median of 1: first load 597,123 rows/s (range …), reload 1,234,567 rows/s`
      { label: 'DuckDB first load', unit: 'rows/s', pattern: /^duckdb median of \d+: first load ([\d,]+) rows\/s/m },
      { label: 'DuckDB reload', unit: 'rows/s', pattern: /^duckdb median of \d+: first load .*, reload ([\d,]+) rows\/s/m },
    ],
  },
};

const higherIsBetter = (f: Figure): boolean => f.unit === 'rows/s';
const show = (f: Figure, x: number): string => (f.unit === 's' ? `${x.toFixed(2)} s` : `${Math.round(x).toLocaleString('en-US')} rows/s`);
const tail = (text: string, lines = 25): string => text.trimEnd().split('\n').slice(-lines).map((l) => `    | ${l}`).join('\n');

class UsageError extends Error {}

function options() {
  const usage = 'usage: node --import tsx bench/revisions.bench.ts --against <git-rev> --bench pipeline|load [--pairs N]';
  const parse = () =>
    parseArgs({
      options: { against: { type: 'string' }, bench: { type: 'string' }, pairs: { type: 'string' }, working: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      strict: true,
    }).values;
  let values: ReturnType<typeof parse>;
  try {
    values = parse();
  } catch (err) {
    throw new UsageError(`${(err as Error).message}\n${usage}`, { cause: err });
  }
  if (values.help) {
    console.log(usage);
    process.exit(0);
  }
  if (!values.against) throw new UsageError(`--against <git-rev> is required\n${usage}`);
  const bench = BENCHES[values.bench ?? ''];
  if (!bench) throw new UsageError(`--bench must be one of ${Object.keys(BENCHES).join(', ')}\n${usage}`);
  const pairs = values.pairs === undefined ? bench.pairs : Number(values.pairs);
  if (!Number.isInteger(pairs) || pairs < 1) throw new UsageError(`--pairs must be a whole number ≥ 1, not '${values.pairs}'`);
  return { against: values.against, bench, pairs, working: values.working ? path.resolve(values.working) : null };
}

// --- the child bench run in progress, in its own process group (with the Temporal dev server it starts), so a signal
// reaches all of it; and the worktree to remove however this process ends
let running: ChildProcess | null = null;
let worktree: Worktree | null = null;
let interrupted: NodeJS.Signals | null = null;
const signalRunning = (signal: NodeJS.Signals): void => {
  if (running?.pid === undefined) return;
  try {
    process.kill(-running.pid, signal);
  } catch {
    // already gone
  }
};
const onSignal = (signal: NodeJS.Signals): void => {
  if (interrupted) {
    // a second Ctrl-C: stop now
    signalRunning('SIGKILL');
    worktree?.remove();
    process.exit(130);
  }
  interrupted = signal;
  console.error(`\n${signal}: stopping the running bench, then removing the worktree (again to force)`);
  signalRunning(signal);
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);
process.on('exit', () => worktree?.remove());

/** Runs `bench` once in `dir`; resolves to its stdout, rejects with the end of its stderr on a non-zero exit. */
function runOnce(name: string, dir: string, bench: Bench, env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    if (interrupted) return reject(new Error(`interrupted (${interrupted}) before ${name}'s ${bench.script}`));
    const child = spawn(process.execPath, [...bench.nodeArgs, bench.script], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    running = child;
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.on('error', (e) => reject(new Error(`${name}: could not start ${bench.script}: ${e.message}`)));
    child.on('close', (code, signal) => {
      running = null;
      if (code === 0 && !interrupted) return resolve(out);
      if (interrupted) return reject(new Error(`interrupted (${interrupted}) during ${name}'s ${bench.script}`));
      reject(new Error(`${name}: ${bench.script} in ${dir} ended with ${signal ?? `exit code ${code}`}; the end of its stderr:\n${tail(err || '(empty)')}\n  and of its stdout:\n${tail(out || '(empty)', 10)}`));
    });
  });
}

function figuresIn(name: string, bench: Bench, out: string): number[] {
  return bench.figures.map((f) => {
    const m = f.pattern.exec(out);
    if (!m) throw new Error(`${name}: no '${f.label}' figure (a line matching ${f.pattern}) in the output of ${bench.script}; its last lines:\n${tail(out || '(empty)')}`);
    return Number(m[1].replaceAll(',', ''));
  });
}

/** Differences between the two package.json files that matter to "same dependencies", or null when identical. */
function packageDifference(workingDir: string, otherDir: string): string | null {
  const read = (dir: string) => readFileSync(path.join(dir, 'package.json'), 'utf8');
  const [a, b] = [read(workingDir), read(otherDir)];
  if (a === b) return null;
  const fields = ['dependencies', 'devDependencies', 'engines'];
  const [pa, pb] = [JSON.parse(a), JSON.parse(b)];
  const changed = fields.filter((k) => JSON.stringify(pa[k] ?? {}) !== JSON.stringify(pb[k] ?? {}));
  return changed.length
    ? `package.json ${changed.join(', ')} differ: the other revision runs with the working tree's node_modules, not the dependencies it declares`
    : 'package.json differs (not in dependencies, devDependencies or engines)';
}

async function main(): Promise<void> {
  const opts = options();
  const { bench } = opts;
  const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const workingDir = opts.working ?? repo;
  const dataDir = parseEnv().MARKET_DATA_DIR;
  if (!existsSync(path.join(dataDir, 'PROVENANCE.md'))) throw new Error(`real market data not found at ${dataDir}: set MARKET_DATA_DIR`);
  if (!existsSync(path.join(workingDir, bench.script))) throw new Error(`the working tree (${workingDir}) has no ${bench.script}`);
  for (const name of SHARED_DIRS) if (!existsSync(path.join(workingDir, name))) throw new Error(`${path.join(workingDir, name)} is missing`);

  const { short } = resolveRev(repo, opts.against);
  const head = git(workingDir, ['rev-parse', '--short', 'HEAD']);
  const changes = git(workingDir, ['status', '--porcelain', '--untracked-files=no']).split('\n').filter(Boolean).length;
  worktree = addWorktree(repo, opts.against, workingDir);
  const sides = [
    { name: 'working', dir: workingDir },
    { name: short, dir: worktree.dir },
  ] as const;
  if (!existsSync(path.join(worktree.dir, bench.script))) throw new Error(`${opts.against} (${short}) has no ${bench.script}`);

  console.log(`${bench.script}, ${opts.pairs} pair${opts.pairs > 1 ? 's' : ''} of single runs (${Object.entries(bench.env).map(([k, v]) => `${k}=${v}`).join(' ')}), alternating which side goes first`);
  console.log(`working : ${workingDir} (HEAD ${head}${changes ? ` + ${changes} changed tracked file${changes > 1 ? 's' : ''}` : ', clean'})`);
  console.log(`${short.padEnd(8)}: ${opts.against} = ${worktree.commit}, detached worktree in ${worktree.dir}`);
  console.log(`same dependencies: both sides run with ${workingDir}'s ${SHARED_DIRS.join(' and ')} (symlinked into the worktree)`);
  const pkg = packageDifference(workingDir, worktree.dir);
  if (pkg) console.log(`WARNING: ${pkg}`);
  console.log(`market data: ${dataDir}`);
  const headline = bench.figures[0];
  console.log(`main figure: ${headline.label} (${headline.unit}, ${higherIsBetter(headline) ? 'higher' : 'lower'} is better); ratio = working / ${short}\n`);

  const env = { ...process.env, ...bench.env, MARKET_DATA_DIR: dataDir };
  // figures[side][pair][figure]
  const figures: [number[][], number[][]] = [[], []];
  for (let pair = 1; pair <= opts.pairs; pair++) {
    const order = pair % 2 === 1 ? [0, 1] : [1, 0];
    for (const side of order) {
      const { name, dir } = sides[side];
      if (process.stderr.isTTY) process.stderr.write(`  pair ${pair}: running ${name}…\r`);
      figures[side].push(figuresIn(name, bench, await runOnce(name, dir, bench, env)));
    }
    const [w, o] = [figures[0][pair - 1], figures[1][pair - 1]];
    const line = (i: number) => `working ${show(bench.figures[i], w[i])} | ${short} ${show(bench.figures[i], o[i])} | ratio ${(w[i] / o[i]).toFixed(3)}`;
    const rest = bench.figures.slice(1).map((f, i) => `${f.label}: ${line(i + 1)}`);
    console.log(`pair ${pair} (${sides[order[0]].name === 'working' ? 'working' : 'against'} first): ${line(0)}${rest.length ? `   (${rest.join('; ')})` : ''}`);
  }

  console.log(`\n${opts.pairs} pair${opts.pairs > 1 ? 's' : ''}, ratio = working / ${short}:`);
  const ratiosOf = (i: number) => figures[0].map((w, p) => w[i] / figures[1][p][i]).sort((a, b) => a - b);
  for (const [i, f] of bench.figures.entries()) {
    const [mw, mo] = [median(figures[0].map((x) => x[i])), median(figures[1].map((x) => x[i]))];
    const r = ratiosOf(i);
    console.log(
      `${f.label.padEnd(18)}: medians working ${show(f, mw)} | ${short} ${show(f, mo)} | ratio of medians ${(mw / mo).toFixed(3)}; ` +
        `per-pair ratios median ${median(r).toFixed(3)}, range ${r[0].toFixed(3)}–${r.at(-1)!.toFixed(3)} (${higherIsBetter(f) ? 'higher' : 'lower'} is better)`,
    );
  }
  const r = ratiosOf(0);
  const range = `${r[0].toFixed(3)}–${r.at(-1)!.toFixed(3)}`;
  const faster = (r[0] > 1) === higherIsBetter(headline) ? 'faster' : 'slower';
  const verdict =
    r.length === 1
      ? `one pair (ratio ${r[0].toFixed(3)}): no spread to judge the difference by; run more pairs`
      : r[0] <= 1 && r.at(-1)! >= 1
        ? `within noise: per-pair ratios range ${range}`
        : // with identical code each pair would fall either side of 1 alike: all n on one side 1 time in 2^(n-1)
          `working ${faster} than ${short} in all ${r.length} pairs: per-pair ratios range ${range} (identical code does that by chance 1 time in ${2 ** (r.length - 1)})`;
  console.log(`verdict (${headline.label}): ${verdict}`);
  console.log(machineLine());
}

main().then(
  () => process.exit(0),
  (err: Error) => {
    console.error(`\nbench:revisions: ${err instanceof UsageError ? '' : 'error: '}${err.message}`);
    process.exit(interrupted ? 130 : err instanceof UsageError ? 2 : 1);
  },
);
