import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generate } from 'selfsigned';

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

/**
 * Development certificates in `dir`: a CA (`ca.crt`, `ca.key`) and a server certificate
 * (`tls.crt`, `tls.key`) for localhost, 127.0.0.1, ::1 and the in-cluster service names.
 * Generated on first use only; existing files are kept. Keys are written mode 0600.
 */
export async function ensureDevCertificates(dir: string): Promise<CertificateFiles & { generated: boolean }> {
  const files = { caFile: join(dir, 'ca.crt'), certFile: join(dir, 'tls.crt'), keyFile: join(dir, 'tls.key') };
  if (existsSync(files.caFile) && existsSync(files.certFile) && existsSync(files.keyFile)) {
    return { ...files, generated: false };
  }
  mkdirSync(dir, { recursive: true });
  const caKeyFile = join(dir, 'ca.key');
  const ca =
    existsSync(files.caFile) && existsSync(caKeyFile)
      ? { cert: readFileSync(files.caFile, 'utf8'), key: readFileSync(caKeyFile, 'utf8') }
      : await generateCa('gossip-safe development CA', 365);
  const server = await generateServingCert(ca, ['localhost', ...SERVICE_DNS_NAMES], ['127.0.0.1', '::1'], 365);
  writeFileSync(files.caFile, ca.cert);
  writeFileSync(caKeyFile, ca.key, { mode: 0o600 });
  writeFileSync(files.keyFile, server.key, { mode: 0o600 });
  writeFileSync(files.certFile, server.cert);
  return { ...files, generated: true };
}
