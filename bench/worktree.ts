import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, mkdtempSync, rmSync, symlinkSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** What a fresh checkout lacks (git-ignored) and a temporary worktree borrows from the working tree by symlink. */
export const SHARED_DIRS = ['node_modules', '.tools'] as const;

export interface Worktree {
  dir: string;
  commit: string;
  short: string;
  /** Removes the worktree, its temp dir and git's record of it; idempotent and synchronous (safe in an exit handler). */
  remove(): void;
}

/** Runs git in `repo`; on failure throws with git's own message. */
export function git(repo: string, args: string[]): string {
  try {
    return execFileSync('git', ['-C', repo, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  } catch (err) {
    const stderr = String((err as { stderr?: unknown }).stderr ?? '').trim();
    throw new Error(`git ${args.join(' ')} failed${stderr ? `: ${stderr}` : ''}`, { cause: err });
  }
}

/** The commit `rev` names in `repo`, or a clear error. */
export function resolveRev(repo: string, rev: string): { commit: string; short: string } {
  if (!rev || rev.startsWith('-')) throw new Error(`not a git revision: '${rev}'`);
  let commit: string;
  try {
    commit = git(repo, ['rev-parse', '--verify', '--quiet', `${rev}^{commit}`]);
  } catch {
    throw new Error(`unknown git revision '${rev}' in ${repo} (try a commit, branch or tag: git log --oneline)`);
  }
  return { commit, short: git(repo, ['rev-parse', '--short', commit]) };
}

/**
 * A detached `git worktree add` of `rev` in a new temp dir, with `node_modules` and `.tools` symlinked from `shareFrom`
 * (the same dependencies and tools on both sides).
 */
export function addWorktree(repo: string, rev: string, shareFrom: string): Worktree {
  const { commit, short } = resolveRev(repo, rev);
  const parent = mkdtempSync(path.join(tmpdir(), 'bench-rev-'));
  const dir = path.join(parent, short);
  let removed = false;
  const remove = (): void => {
    if (removed) return;
    removed = true;
    // the links first: nothing below may reach into the working tree's node_modules or .tools
    for (const name of SHARED_DIRS) {
      try {
        if (lstatSync(path.join(dir, name)).isSymbolicLink()) unlinkSync(path.join(dir, name));
      } catch {
        // not there
      }
    }
    let recorded = true;
    try {
      git(repo, ['worktree', 'remove', '--force', dir]);
      recorded = false;
    } catch {
      // removed below by hand; git's record of it is pruned once the dir is gone
    }
    rmSync(parent, { recursive: true, force: true });
    if (recorded) {
      try {
        git(repo, ['worktree', 'prune']);
      } catch {
        // leave it: `git worktree prune` later
      }
    }
  };
  try {
    git(repo, ['worktree', 'add', '--detach', dir, commit]);
  } catch (err) {
    rmSync(parent, { recursive: true, force: true });
    throw new Error(`could not create a worktree of ${rev} (${short}) in ${dir}: ${(err as Error).message}`, { cause: err });
  }
  try {
    for (const name of SHARED_DIRS) {
      const source = path.join(shareFrom, name);
      if (!existsSync(source)) throw new Error(`${source} is missing: run npm install (and npm run tools:install) in ${shareFrom}`);
      symlinkSync(source, path.join(dir, name), 'dir');
    }
  } catch (err) {
    remove();
    throw new Error(`could not link the dependencies into the worktree of ${rev} (${short}): ${(err as Error).message}`, { cause: err });
  }
  return { dir, commit, short, remove };
}
