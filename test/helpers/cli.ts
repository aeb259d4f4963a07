import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { PROJECT_DIR } from './fixtures.js';
import { runProcess, type ProcessRun } from './run-process.js';

/** The built executable (test/global-setup.ts builds it before the suites run). */
export const CLI = join(PROJECT_DIR, 'dist', 'main.js');

export type CliRun = ProcessRun;

/** Runs `gossip-safe ARGS` to completion, bounded by `timeoutMs`. */
export function runCli(args: readonly string[], options: { cwd?: string; input?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<CliRun> {
  return runProcess(process.execPath, [CLI, ...args], {
    cwd: options.cwd ?? PROJECT_DIR,
    env: { ...process.env, ...options.env },
    input: options.input ?? '',
    timeoutMs: options.timeoutMs ?? 20000,
  });
}

/** Starts a long-running `gossip-safe` (e.g. `serve`); the caller stops it. */
export function spawnCli(args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): ChildProcess {
  return spawn(process.execPath, [CLI, ...args], {
    cwd: options.cwd ?? PROJECT_DIR,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** A throwaway git repository; `commit` writes files and commits them. */
export interface TempRepo {
  readonly dir: string;
  write(files: Record<string, string>): void;
  commit(files: Record<string, string>, message: string): void;
  remove(): void;
}

export function tempRepo(): TempRepo {
  const dir = mkdtempSync(join(tmpdir(), 'gossip-safe-cli-'));
  const git = (...args: string[]) =>
    execFileSync('git', ['-c', 'user.name=gossip-safe test', '-c', 'user.email=test@gossip-safe.invalid', '-c', 'init.defaultBranch=main', ...args], {
      cwd: dir,
      stdio: 'pipe',
    });
  git('init', '-q');
  const write = (files: Record<string, string>) => {
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
  };
  return {
    dir,
    write,
    commit(files, message) {
      write(files);
      git('add', '-A');
      git('commit', '-q', '-m', message);
    },
    remove() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
