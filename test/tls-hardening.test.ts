import { connect } from 'node:tls';
import { startTestWebhook, type TestWebhook } from './helpers/webhook-server.js';

/**
 * Issue 23, finding 6: TLS 1.2 offered CBC-SHA1 and CCM8 suites. TLS 1.2 is now limited to
 * ECDHE with AES-GCM or ChaCha20-Poly1305 (AEAD, forward secrecy); TLS 1.3 is unchanged.
 */
let webhook: TestWebhook;
beforeAll(async () => {
  webhook = await startTestWebhook();
});
afterAll(async () => {
  await webhook.stop();
});

/** The cipher negotiated for a TLS 1.2 handshake offering only `ciphers`, or the error code. */
function handshake12(ciphers: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port: webhook.running.port, ca: webhook.ca, servername: 'localhost', minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2', ciphers }, () => {
      resolve(socket.getCipher().name);
      socket.end();
    });
    socket.setTimeout(10_000, () => socket.destroy(new Error('timeout')));
    socket.on('error', (err: NodeJS.ErrnoException) => resolve(`error ${err.code ?? err.message}`));
  });
}

test.each(['ECDHE-ECDSA-AES128-CCM8', 'ECDHE-ECDSA-AES128-CCM', 'ECDHE-ECDSA-AES128-SHA', 'ECDHE-ECDSA-AES256-SHA', 'ECDHE-ECDSA-AES128-SHA256', 'ECDHE-ECDSA-AES256-SHA384', 'AES128-SHA', 'AES128-GCM-SHA256'])(
  'TLS 1.2 refuses %s',
  async (cipher) => {
    expect(await handshake12(cipher)).toMatch(/^error /);
  },
);

test.each(['ECDHE-ECDSA-AES128-GCM-SHA256', 'ECDHE-ECDSA-AES256-GCM-SHA384', 'ECDHE-ECDSA-CHACHA20-POLY1305'])('TLS 1.2 accepts %s', async (cipher) => {
  expect(await handshake12(cipher)).toBe(cipher);
});

test('the connection cap is set', () => {
  expect(webhook.running.server.maxConnections).toBeGreaterThan(0);
  expect(Number.isFinite(webhook.running.server.maxConnections)).toBe(true);
});
