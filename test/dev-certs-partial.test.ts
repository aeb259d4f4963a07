import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureDevCertificates } from '../src/tls/dev-certs.js';
import { FileCertificateSource } from '../src/tls/file-source.js';
import { runCli } from './helpers/cli.js';

/**
 * Issue 23, finding 4: `--dev-certs` trusted any files it found, so after a write cut short
 * (a full disk) it served nothing. Partial files are now regenerated, and every file is written
 * through a temporary file and a rename.
 */
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'gossip-safe-devcerts-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

test.each([
  ['an empty serving certificate', 'tls.crt', ''],
  ['a truncated key', 'tls.key', '-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMG'],
  ['an empty CA certificate', 'ca.crt', ''],
])('%s left by an interrupted write is replaced, and the pair is usable', async (_name, file, content) => {
  await ensureDevCertificates(dir);
  writeFileSync(join(dir, file), content);
  const again = await ensureDevCertificates(dir);
  expect(again.generated).toBe(true);
  expect(() => FileCertificateSource.read(again.certFile, again.keyFile)).not.toThrow();
  expect(readFileSync(again.caFile, 'utf8')).toMatch(/BEGIN CERTIFICATE/);
});

test('good files are kept as they are', async () => {
  const first = await ensureDevCertificates(dir);
  const cert = readFileSync(first.certFile, 'utf8');
  const again = await ensureDevCertificates(dir);
  expect(again.generated).toBe(false);
  expect(readFileSync(again.certFile, 'utf8')).toBe(cert);
});

test('an unwritable certificate directory exits 1 with one line, no stack trace', async () => {
  writeFileSync(join(dir, 'file'), 'not a directory');
  const run = await runCli(['serve', '--dev-certs', join(dir, 'file', 'certs'), '--host', '127.0.0.1', '--port', '0']);
  expect(run.code).toBe(1);
  expect(run.stderr.trim().split('\n')).toHaveLength(1);
  expect(run.stderr).toMatch(/^gossip-safe: cannot write the development certificates in .*file\/certs: /);
});
