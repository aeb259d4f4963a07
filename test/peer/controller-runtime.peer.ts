import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { promisify } from 'node:util';
import fastJsonPatch from 'fast-json-patch';
import type { AdmissionReviewResponse } from '../../src/admission/types.js';
import type { PatchOperation } from '../../src/patch/diff.js';
import { GOSSIP_SAFE_VERSION } from '../../src/version.js';
import { loadReview, loadReviewText, PROJECT_DIR } from '../helpers/fixtures.js';
import { HttpsClient } from '../helpers/https-client.js';
import { decodePatch } from '../helpers/review.js';
import { startTestWebhook, type TestWebhook } from '../helpers/webhook-server.js';

/**
 * The benchmark compares gossip-safe with a controller-runtime webhook (bench/peers/
 * controller-runtime). That comparison is only fair if both do the same work, so: on the recorded
 * Cassandra pod CREATE, both must produce the same pod, the same patch operations and the same
 * warnings, and neither may patch a pod it already mutated.
 */
const FIXTURE = 'pod-create-from-statefulset-cassandra.json';
const execFileAsync = promisify(execFile);

let ours: TestWebhook;
let peer: ChildProcess;
let peerClient: HttpsClient;
let peerLog = '';

beforeAll(async () => {
  let binary: string;
  try {
    binary = (await execFileAsync('bash', [join(PROJECT_DIR, 'scripts', 'tools', 'controller-runtime-peer.sh')], { maxBuffer: 16 << 20, timeout: 840_000 })).stdout.trim();
  } catch (err) {
    throw new Error(`controller-runtime peer: build failed: ${(err as { stderr?: string }).stderr ?? String(err)}`, { cause: err });
  }
  ours = await startTestWebhook();
  peer = spawn(binary, ['--cert', ours.certs.certFile, '--key', ours.certs.keyFile, '--host', '127.0.0.1', '--version', GOSSIP_SAFE_VERSION], { stdio: ['ignore', 'pipe', 'pipe'] });
  peer.stderr?.on('data', (c: Buffer) => (peerLog += c.toString('utf8')));
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`controller-runtime peer: no port within 30 s; log:\n${peerLog}`)), 30_000);
    peer.stdout?.on('data', (c: Buffer) => {
      out += c.toString('utf8');
      const m = /\{"port":(\d+)\}/.exec(out);
      if (m?.[1] !== undefined) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    peer.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`controller-runtime peer exited (${code}) before listening; log:\n${peerLog}`));
    });
  });
  // The same CA verifies both servers: the peer serves gossip-safe's certificate.
  peerClient = new HttpsClient(`https://localhost:${port}`, ours.ca);
});

afterAll(async () => {
  peerClient?.close();
  if (peer !== undefined && peer.exitCode === null && peer.signalCode === null) {
    const exited = once(peer, 'exit');
    peer.kill('SIGTERM');
    const timer = setTimeout(() => peer.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }
  await ours?.stop();
});

async function review(client: HttpsClient, body: string): Promise<AdmissionReviewResponse> {
  const res = await client.postJson('/mutate?timeout=10s', body);
  expect(res.status).toBe(200);
  return res.json<AdmissionReviewResponse>();
}

const byPath = (ops: readonly PatchOperation[]): PatchOperation[] => [...ops].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));

test('the peer and gossip-safe give the recorded Cassandra pod the same patch, pod and warnings', async () => {
  const body = loadReviewText(FIXTURE);
  const [a, b] = await Promise.all([review(ours.client, body), review(peerClient, body)]);
  expect(b.response.uid).toBe(a.response.uid);
  expect(a.response.allowed).toBe(true);
  expect(b.response.allowed).toBe(true);
  expect(b.response.patchType).toBe('JSONPatch');

  const oursOps = decodePatch(a);
  const peerOps = decodePatch(b);
  expect(oursOps.length).toBeGreaterThan(0);
  // What matters: the pods the apiserver would store are identical.
  const object = loadReview(FIXTURE).request.object!;
  const apply = (ops: PatchOperation[]): unknown => fastJsonPatch.applyPatch(fastJsonPatch.deepClone(object), ops, true, false).newDocument;
  expect(apply(peerOps)).toEqual(apply(oursOps));
  // And the operations themselves, as a set (the two differs emit them in different orders).
  expect(byPath(peerOps)).toEqual(byPath(oursOps));
  expect(b.response.warnings).toEqual(a.response.warnings);
});

test('neither patches a pod it already mutated (a second admission gives no patch)', async () => {
  const recorded = loadReview(FIXTURE);
  const first = await review(ours.client, JSON.stringify(recorded));
  const mutated = fastJsonPatch.applyPatch(fastJsonPatch.deepClone(recorded.request.object), decodePatch(first), true, false).newDocument;
  const again = JSON.stringify({ ...recorded, request: { ...recorded.request, object: mutated } });
  const [a, b] = await Promise.all([review(ours.client, again), review(peerClient, again)]);
  expect(a.response.patch).toBeUndefined();
  expect(b.response.patch).toBeUndefined();
  expect(b.response.allowed).toBe(true);
});
