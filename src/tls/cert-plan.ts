import { X509Certificate, createPrivateKey } from 'node:crypto';
import { generateCa, generateServingCert, type GeneratedPair } from './dev-certs.js';

/** The keys of the certificate Secret (type kubernetes.io/tls plus the CA). */
export type CertSecretData = {
  /** Serving certificate, signed by the current CA. */
  readonly 'tls.crt': string;
  readonly 'tls.key': string;
  /** CA bundle: the current CA first, then earlier CAs until they expire (rotation overlap). */
  readonly 'ca.crt': string;
  /** The current CA's key, so any replica can renew the serving certificate with the same CA. */
  readonly 'ca.key': string;
};

export const CERT_SECRET_KEYS = ['tls.crt', 'tls.key', 'ca.crt', 'ca.key'] as const;

export interface PlanOptions {
  readonly dnsNames: readonly string[];
  /**
   * IP address SANs of the serving certificate, for an apiserver that calls the webhook by a
   * `url` with an IP (a webhook outside the cluster, the e2e suite); none in a normal install.
   */
  readonly ipAddresses?: readonly string[];
  readonly caValidDays: number;
  readonly certValidDays: number;
  /** Renew when this fraction of a certificate's lifetime has passed (2/3, like kubelet). */
  readonly renewAtFraction: number;
}

export const DEFAULT_PLAN: Omit<PlanOptions, 'dnsNames'> = { caValidDays: 3650, certValidDays: 365, renewAtFraction: 2 / 3 };

export interface CertPlan {
  readonly data: CertSecretData;
  /** What had to change and why; empty when the existing data is kept as it is. */
  readonly changes: readonly string[];
}

const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

export function splitPemBundle(bundle: string): string[] {
  return (bundle.match(PEM_CERT) ?? []).map((pem) => `${pem.replace(/\r\n/g, '\n')}\n`);
}

/** Generated PEMs with LF line endings and one trailing newline, so reruns compare equal. */
function normalised(pair: GeneratedPair): GeneratedPair {
  const tidy = (pem: string): string => `${pem.replace(/\r\n/g, '\n').trimEnd()}\n`;
  return { cert: tidy(pair.cert), key: tidy(pair.key) };
}

function parseCert(pem: string | undefined): X509Certificate | undefined {
  if (pem === undefined || pem.trim() === '') return undefined;
  try {
    return new X509Certificate(pem);
  } catch {
    return undefined;
  }
}

function keyMatches(cert: X509Certificate, key: string | undefined): boolean {
  if (key === undefined || key.trim() === '') return false;
  try {
    return cert.checkPrivateKey(createPrivateKey(key));
  } catch {
    return false;
  }
}

function times(cert: X509Certificate): { from: number; to: number } {
  return { from: Date.parse(cert.validFrom), to: Date.parse(cert.validTo) };
}

/** Why `cert` must be replaced at `now`, or undefined when it is good for now. */
function renewalReason(cert: X509Certificate, now: Date, fraction: number): string | undefined {
  const { from, to } = times(cert);
  if (now.getTime() >= to) return `expired on ${cert.validTo}`;
  if (now.getTime() >= from + (to - from) * fraction) return `past ${Math.round(fraction * 100)}% of its lifetime (expires ${cert.validTo})`;
  return undefined;
}

function daysLeft(cert: X509Certificate, now: Date): number {
  return (times(cert).to - now.getTime()) / 86_400_000;
}

/**
 * Decides the certificate Secret's content at `now`: keeps what is valid, creates what is
 * missing, renews what is past `renewAtFraction` of its lifetime. A renewed CA goes first in
 * the bundle and the previous one stays until it expires, so serving certificates of either
 * CA are trusted while replicas pick up the new one.
 */
export async function planCertificates(current: Partial<CertSecretData> | undefined, options: PlanOptions, now = new Date()): Promise<CertPlan> {
  const changes: string[] = [];
  const oldBundle = splitPemBundle(current?.['ca.crt'] ?? '');
  const currentCa = parseCert(oldBundle[0]);
  let ca: GeneratedPair;
  if (currentCa === undefined || !currentCa.ca || !keyMatches(currentCa, current?.['ca.key'])) {
    changes.push(current === undefined ? 'created a new CA' : 'replaced a missing or unusable CA');
    ca = normalised(await generateCa('gossip-safe CA', options.caValidDays, now));
  } else {
    const reason = renewalReason(currentCa, now, options.renewAtFraction);
    if (reason === undefined) {
      ca = { cert: oldBundle[0] ?? '', key: current?.['ca.key'] ?? '' };
    } else {
      changes.push(`renewed the CA: ${reason}`);
      ca = normalised(await generateCa('gossip-safe CA', options.caValidDays, now));
    }
  }
  const caCert = new X509Certificate(ca.cert);
  const bundle = [ca.cert];
  for (const pem of oldBundle) {
    const cert = parseCert(pem);
    if (cert === undefined || bundle.includes(pem) || cert.fingerprint256 === caCert.fingerprint256) continue;
    if (now.getTime() < times(cert).to) bundle.push(pem);
    else changes.push(`dropped an expired CA from the bundle (${cert.validTo})`);
  }

  let serving: GeneratedPair = { cert: current?.['tls.crt'] ?? '', key: current?.['tls.key'] ?? '' };
  const servingCert = parseCert(serving.cert);
  let servingProblem: string | undefined;
  if (servingCert === undefined || !keyMatches(servingCert, serving.key)) servingProblem = 'missing or unusable';
  else if (!servingCert.checkIssued(caCert) || !servingCert.verify(caCert.publicKey)) servingProblem = 'not signed by the current CA';
  else if (options.dnsNames.some((name) => servingCert.checkHost(name, { wildcards: false }) === undefined)) servingProblem = 'missing a DNS name';
  else if ((options.ipAddresses ?? []).some((ip) => servingCert.checkIP(ip) === undefined)) servingProblem = 'missing an IP address';
  else servingProblem = renewalReason(servingCert, now, options.renewAtFraction);
  if (servingProblem !== undefined) {
    changes.push(`issued a new serving certificate: the old one was ${servingProblem}`);
    // Never valid beyond its CA.
    const validDays = Math.max(1, Math.min(options.certValidDays, Math.floor(daysLeft(caCert, now))));
    serving = normalised(await generateServingCert(ca, options.dnsNames, options.ipAddresses ?? [], validDays, now));
  }
  const data: CertSecretData = { 'tls.crt': serving.cert, 'tls.key': serving.key, 'ca.crt': bundle.join(''), 'ca.key': ca.key };
  if (changes.length === 0 && current !== undefined && CERT_SECRET_KEYS.some((k) => current[k] !== data[k])) changes.push('normalised the CA bundle');
  return { data, changes };
}
