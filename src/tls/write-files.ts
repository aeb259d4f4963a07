import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { CertSecretData } from './cert-plan.js';

export interface CertificateOutFiles {
  readonly certFile: string;
  readonly keyFile: string;
  readonly caFile: string;
}

function sameContent(file: string, content: string): boolean {
  try {
    return readFileSync(file, 'utf8') === content;
  } catch {
    return false;
  }
}

/** Writes via a temporary file and rename, so the server never reads a half-written file. */
function writeAtomically(file: string, content: string, mode: number): void {
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, content, { mode });
  renameSync(tmp, file);
}

/**
 * Writes the serving certificate, its key (mode 0600) and the CA bundle for the server, which
 * reloads them when they change (file-source.ts). Returns whether anything was written; files
 * that already hold the content are left alone, so an unchanged run causes no reload.
 */
export function writeCertificateFiles(out: CertificateOutFiles, data: CertSecretData): boolean {
  const files: [string, string, number][] = [
    [out.keyFile, data['tls.key'], 0o600],
    [out.certFile, data['tls.crt'], 0o644],
    [out.caFile, data['ca.crt'], 0o644],
  ];
  let wrote = false;
  for (const [file, content, mode] of files) {
    if (sameContent(file, content)) continue;
    mkdirSync(dirname(file), { recursive: true });
    writeAtomically(file, content, mode);
    wrote = true;
  }
  return wrote;
}
