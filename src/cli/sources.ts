import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, posix, relative, sep } from 'node:path';
import { promisify } from 'node:util';
import { InputError } from '../errors.js';
import type { ManifestSource } from '../offline/manifests.js';

export const STDIN_NAME = '<stdin>';
const MANIFEST_FILE = /\.(ya?ml|json)$/i;
const MAX_DEPTH = 32;

function displayName(path: string): string {
  const rel = relative(process.cwd(), path) || '.';
  return rel.split(sep).join('/');
}

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new InputError(`${displayName(path)}: cannot read: ${code === 'ENOENT' ? 'no such file or directory' : (code ?? String(err))}`);
  }
}

function walk(dir: string, depth: number, out: string[]): void {
  if (depth > MAX_DEPTH) throw new InputError(`${displayName(dir)}: directories nested deeper than ${MAX_DEPTH} levels`);
  const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) walk(path, depth + 1, out);
    else if (entry.isFile() && MANIFEST_FILE.test(entry.name)) out.push(path);
  }
}

/** Reads files, directories (recursively: *.yaml, *.yml, *.json) and `-` (stdin) from disk. */
export function readDiskSources(paths: readonly string[], readStdin: () => string = () => readFileSync(0, 'utf8')): ManifestSource[] {
  const sources: ManifestSource[] = [];
  for (const path of paths) {
    if (path === '-') {
      sources.push({ name: STDIN_NAME, text: readStdin(), explicit: true });
      continue;
    }
    if (!existsSync(path)) throw new InputError(`${path}: no such file or directory`);
    if (statSync(path).isDirectory()) {
      const files: string[] = [];
      walk(path, 0, files);
      for (const file of files) sources.push({ name: displayName(file), text: readText(file), explicit: false });
    } else {
      sources.push({ name: displayName(path), text: readText(path), explicit: true });
    }
  }
  return sources;
}

const execFileAsync = promisify(execFile);

async function git(args: readonly string[], what: string): Promise<string> {
  try {
    const { stdout } = await execFileAsync('git', [...args], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
    return stdout;
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === 'ENOENT') throw new InputError(`${what}: git is not installed (needed to read a git ref)`);
    const reason = (e.stderr ?? '').split('\n').find((l) => l.trim() !== '') ?? e.message.split('\n')[0];
    throw new InputError(`${what}: ${reason?.replace(/^fatal: /, '')}`);
  }
}

/** The commit a ref names, or undefined when it names none (or this is not a git work tree). */
export async function resolveCommit(ref: string): Promise<string | undefined> {
  if (ref.startsWith('-')) return undefined;
  try {
    const out = await git(['rev-parse', '--verify', '--quiet', '--end-of-options', `${ref}^{commit}`], ref);
    return out.trim() || undefined;
  } catch {
    return undefined;
  }
}

/**
 * Reads the manifests under `paths` (relative to the working directory) as they are in `commit`,
 * with `git ls-tree` and `git show`: no checkout, no shell. A path the commit lacks yields no
 * files (a new file is not an error in a base).
 */
export async function readGitSources(ref: string, commit: string, paths: readonly string[]): Promise<ManifestSource[]> {
  const prefix = (await git(['rev-parse', '--show-prefix'], ref)).trim();
  const explicit = new Set(paths.map((p) => posix.normalize(posix.join(prefix, p.split(sep).join('/')))));
  const listed = await git(['ls-tree', '-r', '-z', '--full-name', '--name-only', commit, '--', ...paths], ref);
  const sources: ManifestSource[] = [];
  for (const full of listed.split('\0').filter((f) => f !== '').sort()) {
    const isExplicit = explicit.has(full);
    const hidden = full.split('/').some((part) => part.startsWith('.') || part === 'node_modules');
    if (!isExplicit && (hidden || !MANIFEST_FILE.test(full))) continue;
    const name = posix.relative(prefix.replace(/\/$/, ''), full);
    const text = await git(['show', `${commit}:${full}`], `${ref}:${name}`);
    sources.push({ name: `${name}`, text, explicit: isExplicit });
  }
  return sources;
}

/**
 * A `--base`/`--head` value: an existing file or directory is read from disk; anything else must
 * be a git ref, read at `paths`.
 */
export async function readRefOrPath(refOrPath: string, paths: readonly string[], option: string): Promise<{ label: string; sources: ManifestSource[] }> {
  if (existsSync(refOrPath)) return { label: refOrPath, sources: readDiskSources([refOrPath]) };
  const commit = await resolveCommit(refOrPath);
  if (commit === undefined) throw new InputError(`${option} ${refOrPath}: neither a file or directory nor a git ref (commit) in this repository`);
  return { label: refOrPath, sources: await readGitSources(refOrPath, commit, paths.length === 0 ? ['.'] : paths) };
}
