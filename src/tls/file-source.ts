import { EventEmitter } from 'node:events';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFileSync, unwatchFile, watchFile, type Stats } from 'node:fs';
import { createSecureContext } from 'node:tls';

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/;
const PEM_PRIVATE_KEY = /-----BEGIN (?:[A-Z]+ )?PRIVATE KEY-----[\s\S]+?-----END (?:[A-Z]+ )?PRIVATE KEY-----/;

export interface KeyPair {
  readonly cert: string;
  readonly key: string;
}

/**
 * A serving certificate read from PEM files and re-read when they change: cert-manager
 * renewals, Secret rotations (the kubelet swaps a symlink) or `gossip-safe certs`.
 *
 * A change is applied only once the pair is valid together: a half-written rotation (new
 * cert, old key) is ignored until the next poll finds both. Emits `change` with the new pair
 * and `error` (non-fatal) when a reload fails; the previous certificate stays in use.
 */
export class FileCertificateSource extends EventEmitter {
  private current: KeyPair;
  private timer: NodeJS.Timeout | undefined;
  private readonly listener = (curr: Stats, prev: Stats): void => {
    if (curr.mtimeMs !== prev.mtimeMs || curr.ino !== prev.ino || curr.size !== prev.size) this.reload();
  };

  constructor(
    readonly certFile: string,
    readonly keyFile: string,
    private readonly pollIntervalMs = 2000,
  ) {
    super();
    this.current = FileCertificateSource.read(certFile, keyFile);
  }

  /** Reads and checks a pair; throws with a one-line reason when they do not form a usable pair. */
  static read(certFile: string, keyFile: string): KeyPair {
    const pair = { cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8') };
    // Node builds a TLS context from empty strings without complaint, and then fails every
    // handshake: a pair must have its PEM blocks, and the key must be the certificate's.
    if (!PEM_CERTIFICATE.test(pair.cert)) throw new Error(`${certFile} holds no PEM certificate block`);
    if (!PEM_PRIVATE_KEY.test(pair.key)) throw new Error(`${keyFile} holds no PEM private key block`);
    let matches: boolean;
    try {
      matches = new X509Certificate(pair.cert).checkPrivateKey(createPrivateKey(pair.key));
    } catch (err) {
      throw new Error(`${certFile}, ${keyFile}: not a usable certificate and key: ${(err as Error).message}`, { cause: err });
    }
    if (!matches) throw new Error(`${keyFile} is not the private key of the certificate in ${certFile}`);
    createSecureContext(pair); // throws on anything else TLS cannot use
    return pair;
  }

  get pair(): KeyPair {
    return this.current;
  }

  /** Starts watching. Stat polling follows symlinks, so Secret volume swaps are seen too. */
  watch(): void {
    if (this.timer !== undefined) return;
    watchFile(this.certFile, { interval: this.pollIntervalMs, persistent: false }, this.listener);
    watchFile(this.keyFile, { interval: this.pollIntervalMs, persistent: false }, this.listener);
    // A rotation may write the two files one poll apart; also re-check the pair periodically.
    this.timer = setInterval(() => this.reload(), this.pollIntervalMs * 5);
    this.timer.unref();
  }

  stop(): void {
    unwatchFile(this.certFile, this.listener);
    unwatchFile(this.keyFile, this.listener);
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Re-reads the files; emits `change` when the pair differs and is valid. */
  reload(): void {
    let next: KeyPair;
    try {
      next = FileCertificateSource.read(this.certFile, this.keyFile);
    } catch (err) {
      this.emit('error', err);
      return;
    }
    if (next.cert === this.current.cert && next.key === this.current.key) return;
    this.current = next;
    this.emit('change', next);
  }
}
