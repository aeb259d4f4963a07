import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyPatch, type PatchOperation } from '../../src/mutate/patch.js';
import { ensureDevCertificates } from '../../src/tls/dev-certs.js';

export type JsonObject = Record<string, unknown>;

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly contentType: string | undefined;
  readonly body: unknown;
}

export interface FakeKubeApiOptions {
  /** Paths (exact, without query) answered with 403 Forbidden, as RBAC would. */
  readonly forbidden?: readonly string[];
  /** Called when a Secret create arrives, before it is stored: lets a test create it first (a racing replica). */
  readonly beforeSecretCreate?: (api: FakeKubeApi) => void;
  /** Hold Secret GETs until this many have arrived (bounded), so concurrent runs interleave deterministically. */
  readonly secretGetBarrier?: number;
}

const TOKEN = 'fake-kube-api-token';
const ADMISSION = '/apis/admissionregistration.k8s.io/v1/';

/**
 * A loopback HTTPS server that answers like the Kubernetes API for what `gossip-safe certs`
 * uses: Secret get/create/update (404, 409 AlreadyExists, 409 Conflict on a stale
 * resourceVersion) and webhook configuration get/patch (JSON patch only). It checks the bearer
 * token, keeps objects in memory with resourceVersions, and records every request.
 */
export class FakeKubeApi {
  readonly secrets = new Map<string, JsonObject>();
  readonly webhookConfigurations = new Map<string, JsonObject>();
  readonly requests: RecordedRequest[] = [];
  private version = 100;
  private waitingGets: (() => void)[] = [];

  private constructor(
    readonly server: Server,
    readonly dir: string,
    readonly kubeconfigPath: string,
    private readonly options: FakeKubeApiOptions,
  ) {}

  static async start(options: FakeKubeApiOptions = {}): Promise<FakeKubeApi> {
    const dir = mkdtempSync(join(tmpdir(), 'gossip-safe-kube-'));
    const certs = await ensureDevCertificates(join(dir, 'pki'));
    const server = createServer({ cert: readFileSync(certs.certFile), key: readFileSync(certs.keyFile) });
    const kubeconfigPath = join(dir, 'kubeconfig');
    const api = new FakeKubeApi(server, dir, kubeconfigPath, options);
    server.on('request', (req: IncomingMessage, res: ServerResponse) => void api.handle(req, res));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const port = (server.address() as AddressInfo).port;
    writeFileSync(
      kubeconfigPath,
      [
        'apiVersion: v1',
        'kind: Config',
        'clusters:',
        '- name: fake',
        '  cluster:',
        `    server: https://127.0.0.1:${port}`,
        `    certificate-authority-data: ${readFileSync(certs.caFile).toString('base64')}`,
        'users:',
        '- name: gossip-safe-test',
        '  user:',
        `    token: ${TOKEN}`,
        'contexts:',
        '- name: fake',
        '  context: {cluster: fake, user: gossip-safe-test}',
        'current-context: fake',
        '',
      ].join('\n'),
    );
    return api;
  }

  /** Adds a webhook configuration as `kubectl apply` would have created it. */
  putWebhookConfiguration(kind: 'mutating' | 'validating', object: JsonObject): void {
    const name = (object['metadata'] as { name: string }).name;
    this.webhookConfigurations.set(`${kind}/${name}`, this.stamp(structuredClone(object)));
  }

  webhookConfiguration(kind: 'mutating' | 'validating', name: string): JsonObject {
    const o = this.webhookConfigurations.get(`${kind}/${name}`);
    if (o === undefined) throw new Error(`no ${kind} ${name}`);
    return o;
  }

  /** Stores a Secret directly (another replica's write). `data` values are plain text. */
  putSecret(namespace: string, name: string, data: Record<string, string>): void {
    const encoded = Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString('base64')]));
    this.secrets.set(`${namespace}/${name}`, this.stamp({ apiVersion: 'v1', kind: 'Secret', type: 'kubernetes.io/tls', metadata: { name, namespace }, data: encoded }));
  }

  /** A stored Secret's data, decoded. */
  secretData(namespace: string, name: string): Record<string, string> | undefined {
    const s = this.secrets.get(`${namespace}/${name}`);
    if (s === undefined) return undefined;
    return Object.fromEntries(Object.entries((s['data'] ?? {}) as Record<string, string>).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]));
  }

  requestsTo(method: string, pathPrefix: string): RecordedRequest[] {
    return this.requests.filter((r) => r.method === method && r.path.startsWith(pathPrefix));
  }

  async stop(): Promise<void> {
    for (const release of this.waitingGets) release();
    this.server.closeAllConnections();
    this.server.close();
    rmSync(this.dir, { recursive: true, force: true });
  }

  private stamp(object: JsonObject): JsonObject {
    const metadata = (object['metadata'] ?? {}) as JsonObject;
    metadata['resourceVersion'] = String(++this.version);
    object['metadata'] = metadata;
    return object;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const path = new URL(req.url ?? '/', 'https://x').pathname;
    const method = req.method ?? 'GET';
    const contentType = req.headers['content-type'];
    this.requests.push({ method, path, contentType, body: text === '' ? undefined : (JSON.parse(text) as unknown) });
    const send = (code: number, body: unknown): void => {
      res.writeHead(code, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const status = (code: number, reason: string, message: string): void =>
      send(code, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code });

    if (req.headers.authorization !== `Bearer ${TOKEN}`) return status(401, 'Unauthorized', 'Unauthorized');
    if (this.options.forbidden?.includes(path)) {
      return status(403, 'Forbidden', `forbidden: User "system:serviceaccount:gossip-safe:gossip-safe" cannot ${method.toLowerCase()} ${path}`);
    }

    const secret = /^\/api\/v1\/namespaces\/([^/]+)\/secrets(?:\/([^/]+))?$/.exec(path);
    if (secret !== null) {
      const [, namespace, name] = secret;
      if (method === 'GET' && name !== undefined) {
        await this.barrier();
        const s = this.secrets.get(`${namespace}/${name}`);
        return s === undefined ? status(404, 'NotFound', `secrets "${name}" not found`) : send(200, s);
      }
      if (method === 'POST' && name === undefined) {
        this.options.beforeSecretCreate?.(this);
        const body = JSON.parse(text) as JsonObject;
        const newName = (body['metadata'] as { name: string }).name;
        if (this.secrets.has(`${namespace}/${newName}`)) return status(409, 'AlreadyExists', `secrets "${newName}" already exists`);
        this.secrets.set(`${namespace}/${newName}`, this.stamp(body));
        return send(201, this.secrets.get(`${namespace}/${newName}`));
      }
      if (method === 'PUT' && name !== undefined) {
        const body = JSON.parse(text) as JsonObject;
        const current = this.secrets.get(`${namespace}/${name}`);
        if (current === undefined) return status(404, 'NotFound', `secrets "${name}" not found`);
        const sentVersion = (body['metadata'] as JsonObject)['resourceVersion'];
        if (sentVersion !== (current['metadata'] as JsonObject)['resourceVersion']) {
          return status(409, 'Conflict', `Operation cannot be fulfilled on secrets "${name}": the object has been modified`);
        }
        this.secrets.set(`${namespace}/${name}`, this.stamp(body));
        return send(200, this.secrets.get(`${namespace}/${name}`));
      }
    }

    const webhook = new RegExp(`^${ADMISSION}(mutating|validating)webhookconfigurations/([^/]+)$`).exec(path);
    if (webhook !== null) {
      const key = `${webhook[1]}/${webhook[2]}`;
      const current = this.webhookConfigurations.get(key);
      if (current === undefined) return status(404, 'NotFound', `${webhook[1]}webhookconfigurations "${webhook[2]}" not found`);
      if (method === 'GET') return send(200, current);
      if (method === 'PATCH') {
        if (contentType !== 'application/json-patch+json') return status(415, 'UnsupportedMediaType', `unsupported patch type ${String(contentType)}`);
        let next: JsonObject;
        try {
          next = applyPatch(current, JSON.parse(text) as PatchOperation[]);
        } catch (err) {
          return status(422, 'Invalid', `the patch could not be applied: ${(err as Error).message}`);
        }
        this.webhookConfigurations.set(key, this.stamp(next));
        return send(200, next);
      }
    }
    return status(404, 'NotFound', `the server could not find the requested resource (${method} ${path})`);
  }

  /** With secretGetBarrier N: the first N Secret GETs wait until all N arrived (at most 5 s). */
  private barrier(): Promise<void> {
    const n = this.options.secretGetBarrier;
    if (n === undefined || this.waitingGets.length < 0) return Promise.resolve();
    const arrived = this.requests.filter((r) => r.method === 'GET' && r.path.includes('/secrets/')).length;
    if (arrived > n) return Promise.resolve();
    return new Promise((resolveGet) => {
      this.waitingGets.push(resolveGet);
      if (arrived === n) {
        for (const release of this.waitingGets.splice(0)) release();
        return;
      }
      setTimeout(() => {
        for (const release of this.waitingGets.splice(0)) release();
      }, 5000).unref();
    });
  }
}
