// CLI distribution (docs/install.md "The CLI"): `npm pack` of a fresh checkout gives a package whose
// gossip-safe and kubectl-gossip_safe run from a clean install of the tarball alone.
import { execFileSync, spawnSync } from 'node:child_process';
import { accessSync, constants, copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { parse as parseYaml } from 'yaml';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { PROJECT_DIR } from '../helpers/fixtures.js';

const pkg = JSON.parse(readFileSync(join(PROJECT_DIR, 'package.json'), 'utf8')) as { name: string; version: string };
// npm is a script run by the node running this test.
const npmCli = join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'bin', 'npm-cli.js');
const npm = (args: readonly string[], cwd: string): string => {
  const cli = existsSync(npmCli) ? [process.execPath, npmCli] : ['npm'];
  const [cmd = 'npm', ...pre] = cli;
  return execFileSync(cmd, [...pre, ...args], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 240_000 });
};

let dir = '';
let tarball = '';
let files: string[] = [];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'gossip-safe-pack-'));
  // A fresh checkout: the tracked files only (no dist/), with the project's node_modules.
  const checkout = join(dir, 'checkout');
  const tracked = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: PROJECT_DIR, encoding: 'utf8' }).split('\0').filter((f) => f !== '');
  for (const f of tracked) {
    if (!existsSync(join(PROJECT_DIR, f))) continue;
    mkdirSync(dirname(join(checkout, f)), { recursive: true });
    copyFileSync(join(PROJECT_DIR, f), join(checkout, f));
  }
  // The project's node_modules as hard links, not a symlink: through a symlink npm pack names
  // bundled packages that sit in a nested node_modules by their path relative to the link's
  // target (package/../../../...), which tar refuses to unpack. Same filesystem, so it is quick.
  execFileSync('cp', ['-al', join(PROJECT_DIR, 'node_modules'), join(checkout, 'node_modules')]);
  const packed = JSON.parse(npm(['pack', '--json', '--pack-destination', dir], checkout)) as { filename: string; files: { path: string }[] }[];
  tarball = join(dir, packed[0]?.filename ?? '');
  files = (packed[0]?.files ?? []).map((f) => f.path);
  // A clean install of the tarball alone, as `npm install --global` does, from npm's cache (no registry).
  npm(['install', '--global', '--prefix', join(dir, 'prefix'), '--offline', '--no-audit', '--no-fund', tarball], dir);
}, 300_000);

afterAll(() => {
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});

const run = (bin: string, args: readonly string[]): { code: number | null; out: string } => {
  const r = spawnSync(join(dir, 'prefix', 'bin', bin), [...args], {
    cwd: dir,
    encoding: 'utf8',
    timeout: 30_000,
    env: { PATH: `${dirname(process.execPath)}:/usr/bin:/bin`, HOME: dir },
  });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
};

test('no file of the package lies outside it (no .. in a member name)', () => {
  expect(files.filter((f) => f.split('/').includes('..'))).toEqual([]);
});

test('the package holds the built CLI, LICENSE and README, and no sources or tests', () => {
  expect(files).toEqual(expect.arrayContaining(['package.json', 'LICENSE', 'README.md', 'dist/main.js', 'dist/kubectl-plugin.js']));
  const own = files.filter((f) => !f.startsWith('node_modules/'));
  expect(own.filter((f) => /^(src|test|scripts|charts|manifests|bench)\//.test(f) || f.endsWith('.test.js'))).toEqual([]);
});

test.each([
  ['gossip-safe', 'Usage: gossip-safe <command>'],
  ['kubectl-gossip_safe', 'Usage: kubectl gossip-safe <command>'],
])('%s from the installed tarball prints its help and its version', (bin, usage) => {
  const help = run(bin, ['--help']);
  expect(help.out).toContain(usage);
  expect(help.code).toBe(0);
  expect(run(bin, ['version'])).toEqual({ code: 0, out: `${pkg.version}\n` });
});

test('the installed gossip-safe reviews a recorded AdmissionReview like the webhook', () => {
  const r = run('gossip-safe', ['review', join(PROJECT_DIR, 'test', 'fixtures', 'admission-reviews', 'pod-create-from-statefulset-cassandra.json')]);
  expect(r.code).toBe(0);
  expect((JSON.parse(r.out) as { response: { allowed: boolean; patchType: string } }).response).toMatchObject({ allowed: true, patchType: 'JSONPatch' });
});

interface KrewPlatform {
  selector: { matchLabels: Record<string, string> };
  uri: string;
  sha256: string;
  files: { from: string; to: string }[];
  bin: string;
}

test("the krew manifest names the packed tarball by sha256, and krew's install layout runs kubectl-gossip_safe", () => {
  const yaml = execFileSync(process.execPath, [join(PROJECT_DIR, 'scripts', 'krew-manifest.mjs'), tarball, 'https://example.invalid/gossip-safe.tgz'], { encoding: 'utf8', timeout: 30_000 });
  const manifest = parseYaml(yaml) as { apiVersion: string; kind: string; metadata: { name: string }; spec: { version: string; shortDescription: string; platforms: KrewPlatform[] } };
  expect(manifest).toMatchObject({ apiVersion: 'krew.googlecode.com/v1alpha2', kind: 'Plugin', metadata: { name: 'gossip-safe' }, spec: { version: `v${pkg.version}` } });
  expect(manifest.spec.shortDescription.length).toBeLessThanOrEqual(80);
  const sha = createHash('sha256').update(readFileSync(tarball)).digest('hex');
  const linux = manifest.spec.platforms.find((p) => p.selector.matchLabels.os === 'linux' && p.selector.matchLabels.arch === 'amd64');
  expect(linux).toMatchObject({ uri: 'https://example.invalid/gossip-safe.tgz', sha256: sha, files: [{ from: 'package/*', to: '.' }] });
  if (linux === undefined) return;
  // What krew does: unpack the archive, copy `files`, link kubectl-<name, - as _> to `bin`.
  const unpacked = join(dir, 'krew-unpacked');
  const pluginDir = join(dir, 'krew', 'store', 'gossip-safe', manifest.spec.version);
  mkdirSync(unpacked, { recursive: true });
  mkdirSync(pluginDir, { recursive: true });
  execFileSync('tar', ['-xzf', tarball, '-C', unpacked], { timeout: 120_000 });
  for (const entry of readdirSync(join(unpacked, 'package'))) cpSync(join(unpacked, 'package', entry), join(pluginDir, entry), { recursive: true });
  const bin = join(pluginDir, linux.bin);
  accessSync(bin, constants.X_OK);
  const link = join(dir, 'krew', 'bin', 'kubectl-gossip_safe');
  mkdirSync(dirname(link), { recursive: true });
  symlinkSync(bin, link);
  const r = spawnSync(link, ['version'], { cwd: dir, encoding: 'utf8', timeout: 30_000, env: { PATH: `${dirname(process.execPath)}:/usr/bin:/bin`, HOME: dir } });
  expect({ code: r.status, out: r.stdout }).toEqual({ code: 0, out: `${pkg.version}\n` });
});
