import { generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generate } from 'selfsigned';

const DAY_MS = 86_400_000;

export interface ControlPlanePki {
  readonly caCert: string;
  readonly caKey: string;
  readonly serverCert: string;
  readonly serverKey: string;
  readonly adminCert: string;
  readonly adminKey: string;
  readonly saPublic: string;
  readonly saPrivate: string;
}

/**
 * A throwaway PKI for the e2e control plane: one CA that signs the apiserver's serving
 * certificate (127.0.0.1, localhost, the in-cluster names) and the admin's client certificate
 * (group system:masters), and an RSA key pair that signs ServiceAccount tokens.
 */
export async function generatePki(): Promise<ControlPlanePki> {
  const now = Date.now();
  const validity = { notBeforeDate: new Date(now - 60_000), notAfterDate: new Date(now + 2 * DAY_MS) };
  const ca = await generate([{ name: 'commonName', value: 'gossip-safe e2e cluster CA' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    ...validity,
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    ],
  });
  const signer = { key: ca.private, cert: ca.cert };
  const server = await generate([{ name: 'commonName', value: 'kube-apiserver' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    ...validity,
    ca: signer,
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'localhost' },
          { type: 2, value: 'kubernetes' },
          { type: 2, value: 'kubernetes.default' },
          { type: 2, value: 'kubernetes.default.svc' },
          { type: 7, ip: '127.0.0.1' },
        ],
      },
    ],
  });
  const admin = await generate(
    [
      { name: 'commonName', value: 'gossip-safe-e2e-admin' },
      { name: 'organizationName', value: 'system:masters' },
    ],
    {
      keyType: 'ec',
      curve: 'P-256',
      algorithm: 'sha256',
      ...validity,
      ca: signer,
      extensions: [
        { name: 'basicConstraints', cA: false },
        { name: 'keyUsage', digitalSignature: true, critical: true },
        { name: 'extKeyUsage', clientAuth: true },
      ],
    },
  );
  const sa = generateKeyPairSync('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });
  return {
    caCert: ca.cert,
    caKey: ca.private,
    serverCert: server.cert,
    serverKey: server.private,
    adminCert: admin.cert,
    adminKey: admin.private,
    saPublic: sa.publicKey,
    saPrivate: sa.privateKey,
  };
}

/** Writes the PKI as PEM files into `dir` (mode 0600) and returns their paths. */
export function writePki(pki: ControlPlanePki, dir: string): Record<keyof ControlPlanePki, string> {
  const files = {} as Record<keyof ControlPlanePki, string>;
  for (const [name, pem] of Object.entries(pki) as [keyof ControlPlanePki, string][]) {
    const file = join(dir, `${name}.pem`);
    writeFileSync(file, pem, { mode: 0o600 });
    files[name] = file;
  }
  return files;
}

const b64 = (s: string): string => Buffer.from(s).toString('base64');

/** A kubeconfig for `server`, trusting `caCert`, authenticating with a client certificate or a bearer token. */
export function kubeconfigYaml(server: string, caCert: string, user: { cert: string; key: string } | { token: string }, name = 'e2e'): string {
  const credentials =
    'token' in user ? `    token: ${user.token}` : `    client-certificate-data: ${b64(user.cert)}\n    client-key-data: ${b64(user.key)}`;
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    `- name: ${name}`,
    '  cluster:',
    `    server: ${server}`,
    `    certificate-authority-data: ${b64(caCert)}`,
    'users:',
    `- name: ${name}`,
    '  user:',
    credentials,
    'contexts:',
    `- name: ${name}`,
    '  context:',
    `    cluster: ${name}`,
    `    user: ${name}`,
    `current-context: ${name}`,
    '',
  ].join('\n');
}
