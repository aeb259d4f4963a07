import { readFileSync } from 'node:fs';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';

/**
 * The reference: the least an HTTPS JSON webhook on Node can do. Node's own `https` module with
 * the same certificate and connection timeouts as gossip-safe; it reads the body, parses it, and
 * answers a fixed allowed AdmissionReview that echoes the request's uid (the least a correct
 * webhook must do). No framework, no routing, no logging. Prints {"port": N} once listening.
 *
 *   node dist-bench/bench/bare-server.js --cert tls.crt --key tls.key [--port 0]
 */
const { values } = parseArgs({
  options: { cert: { type: 'string' }, key: { type: 'string' }, port: { type: 'string', default: '0' } },
});
if (values.cert === undefined || values.key === undefined) {
  process.stderr.write('usage: bare-server --cert FILE --key FILE [--port N]\n');
  process.exit(64);
}

const server = createServer(
  { cert: readFileSync(values.cert), key: readFileSync(values.key), minVersion: 'TLSv1.2' },
  (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      let uid = '';
      try {
        const review = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { request?: { uid?: unknown } };
        if (typeof review.request?.uid === 'string') uid = review.request.uid;
      } catch {
        res.writeHead(400, { 'content-type': 'text/plain' }).end('bad JSON\n');
        return;
      }
      const body = `{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","response":{"uid":${JSON.stringify(uid)},"allowed":true}}`;
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body);
    });
  },
);
server.keepAliveTimeout = 95_000;
server.headersTimeout = 96_000;
server.listen(Number(values.port), '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ port: (server.address() as AddressInfo).port })}\n`);
});
process.once('SIGTERM', () => {
  server.close();
  server.closeAllConnections();
});
