import { X509Certificate } from 'node:crypto';
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generate } from 'selfsigned';
import { FileCertificateSource } from './file-source.js';

/** DNS names the webhook answers to in a cluster (Service `gossip-safe` in namespace `gossip-safe`). */
export const SERVICE_DNS_NAMES: readonly string[] = [
  'gossip-safe',
  'gossip-safe.gossip-safe',
  'gossip-safe.gossip-safe.svc',
  'gossip-safe.gossip-safe.svc.cluster.local',
];

export interface CertificateFiles {
  readonly caFile: string;
  readonly certFile: string;
  readonly keyFile: string;
}

export interface GeneratedPair {
  readonly cert: string;
  readonly key: string;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** A self-signed CA for signing serving certificates. */
export async function generateCa(commonName: string, validDays: number, now = new Date()): Promise<GeneratedPair> {
  const pems = await generate([{ name: 'commonName', value: commonName }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate: new Date(now.getTime() - 60_000),
    notAfterDate: new Date(now.getTime() + validDays * DAY_MS),
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    ],
  });
  return { cert: pems.cert, key: pems.private };
}

/** A serving certificate for the given DNS names and IPs, signed by `ca`. */
export async function generateServingCert(
  ca: GeneratedPair,
  dnsNames: readonly string[],
  ips: readonly string[],
  validDays: number,
  now = new Date(),
): Promise<GeneratedPair> {
  const pems = await generate([{ name: 'commonName', value: dnsNames[0] ?? ips[0] ?? 'gossip-safe' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate: new Date(now.getTime() - 60_000),
    notAfterDate: new Date(now.getTime() + validDays * DAY_MS),
    ca: { key: ca.key, cert: ca.cert },
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          ...dnsNames.map((value) => ({ type: 2 as const, value })),
          ...ips.map((ip) => ({ type: 7 as const, ip })),
        ],
      },
    ],
  });
  return { cert: pems.cert, key: pems.private };
}

/** The pair in the files, when it is whole and usable; undefined for missing or partial files. */
function readPair(certFile: string, keyFile: string): GeneratedPair | undefined {
  try {
    return FileCertificateSource.read(certFile, keyFile);
  } catch {
    return undefined;
  }
}

/** Whether `cert` parses and was signed by the CA certificate `caCert`. */
function signedBy(cert: string, caCert: string): boolean {
  try {
    return new X509Certificate(cert).verify(new X509Certificate(caCert).publicKey);
  } catch {
    return false;
  }
}

/** Writes through a temporary file and a rename: a reader sees the old file or the whole new one. */
function writeAtomically(file: string, content: string, mode: number): void {
  const tmp = `${file}.tmp-${process.pid}`;
  try {
    writeFileSync(tmp, content, { mode });
    renameSync(tmp, file);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}

/**
 * Development certificates in `dir`: a CA (`ca.crt`, `ca.key`) and a server certificate
 * (`tls.crt`, `tls.key`) for localhost, 127.0.0.1, ::1 and the in-cluster service names.
 * Generated on first use only; existing files are kept when they are whole (PEM blocks, the key
 * matches, the CA signed the certificate), and replaced when an interrupted write left them
 * partial. Every file is written atomically; keys are written mode 0600.
 */
export async function ensureDevCertificates(dir: string): Promise<CertificateFiles & { generated: boolean }> {
  const files = { caFile: join(dir, 'ca.crt'), certFile: join(dir, 'tls.crt'), keyFile: join(dir, 'tls.key') };
  const caKeyFile = join(dir, 'ca.key');
  const existingCa = readPair(files.caFile, caKeyFile);
  const existing = readPair(files.certFile, files.keyFile);
  if (existingCa !== undefined && existing !== undefined && signedBy(existing.cert, existingCa.cert)) {
    return { ...files, generated: false };
  }
  mkdirSync(dir, { recursive: true });
  const ca = existingCa ?? (await generateCa('gossip-safe development CA', 365));
  const server = await generateServingCert(ca, ['localhost', ...SERVICE_DNS_NAMES], ['127.0.0.1', '::1'], 365);
  // The CA first, the serving certificate last: a reader polling tls.crt sees a complete set.
  writeAtomically(caKeyFile, ca.key, 0o600);
  writeAtomically(files.caFile, ca.cert, 0o644);
  writeAtomically(files.keyFile, server.key, 0o600);
  writeAtomically(files.certFile, server.cert, 0o644);
  return { ...files, generated: true };
}
