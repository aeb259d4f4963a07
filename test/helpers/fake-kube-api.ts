import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyPatch, type PatchOperation } from '../../src/patch/diff.js';
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
  /** Serve wgpolicyk8s.io/v1alpha2 PolicyReports, as when their CRD is installed. */
  readonly policyReportCrd?: boolean;
}

/** The read-mostly resources the audit uses, served from `resources` (list, get; PolicyReports also create/update). */
interface ResourceType {
  readonly prefix: string;
  readonly plural: string;
  readonly kind: string;
  readonly namespaced: boolean;
}
const RESOURCE_TYPES: readonly ResourceType[] = [
  { prefix: '/api/v1', plural: 'namespaces', kind: 'Namespace', namespaced: false },
  { prefix: '/api/v1', plural: 'pods', kind: 'Pod', namespaced: true },
  { prefix: '/apis/apps/v1', plural: 'statefulsets', kind: 'StatefulSet', namespaced: true },
  { prefix: '/apis/apps/v1', plural: 'deployments', kind: 'Deployment', namespaced: true },
  { prefix: '/apis/apps/v1', plural: 'daemonsets', kind: 'DaemonSet', namespaced: true },
  { prefix: '/apis/wgpolicyk8s.io/v1alpha2', plural: 'policyreports', kind: 'PolicyReport', namespaced: true },
];

const TOKEN = 'fake-kube-api-token';
const ADMISSION = '/apis/admissionregistration.k8s.io/v1/';

/**
 * A loopback HTTPS server that answers like the Kubernetes API for what `gossip-safe certs`
 * and `gossip-safe audit` use (namespaces, pods and workloads: list/get; PolicyReports when
 * `policyReportCrd`; legacy discovery, so a real kubectl can read it too): Secret get/create/update (404, 409 AlreadyExists, 409 Conflict on a stale
 * resourceVersion) and webhook configuration get/patch (JSON patch only). It checks the bearer
 * token, keeps objects in memory with resourceVersions, and records every request.
 */
export class FakeKubeApi {
  readonly secrets = new Map<string, JsonObject>();
  readonly webhookConfigurations = new Map<string, JsonObject>();
  readonly requests: RecordedRequest[] = [];
  /** Namespaces, pods, workloads and PolicyReports by plural, then `namespace/name` (`/name` for namespaces). */
  readonly resources = new Map<string, Map<string, JsonObject>>();
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

  /** Stores a namespace, pod, workload or PolicyReport (by its kind) as the apiserver would hold it. */
  put(object: JsonObject): void {
    const type = RESOURCE_TYPES.find((t) => t.kind === object['kind']);
    if (type === undefined) throw new Error(`fake-kube-api: no resource type for kind ${String(object['kind'])}`);
    const metadata = (object['metadata'] ?? {}) as { name?: string; namespace?: string };
    const store = this.resources.get(type.plural) ?? new Map<string, JsonObject>();
    this.resources.set(type.plural, store);
    store.set(`${type.namespaced ? (metadata.namespace ?? 'default') : ''}/${metadata.name ?? ''}`, this.stamp(structuredClone(object)));
  }

  /** The stored objects of one plural (e.g. policyreports). */
  stored(plural: string): JsonObject[] {
    return [...(this.resources.get(plural)?.values() ?? [])];
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

  stop(): Promise<void> {
    for (const release of this.waitingGets) release();
    this.server.closeAllConnections();
    this.server.close();
    rmSync(this.dir, { recursive: true, force: true });
    return Promise.resolve();
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
    const discovery = this.discovery(path);
    if (discovery !== undefined) return method === 'GET' ? send(200, discovery) : status(405, 'MethodNotAllowed', 'discovery is read-only');
    return this.handleResource(method, path, text, send, status);
  }

  /** Legacy discovery (kubectl falls back to it): /version, /api, /apis and the group versions the fake serves. */
  private discovery(path: string): unknown {
    const resource = (t: ResourceType) => ({
      name: t.plural,
      singularName: t.kind.toLowerCase(),
      namespaced: t.namespaced,
      kind: t.kind,
      verbs: ['get', 'list', 'create', 'update'],
      ...(t.kind === 'PolicyReport' ? { shortNames: ['polr'] } : {}),
    });
    const served = RESOURCE_TYPES.filter((t) => t.kind !== 'PolicyReport' || this.options.policyReportCrd === true);
    const groups = [
      { name: 'apps', version: 'v1' },
      { name: 'admissionregistration.k8s.io', version: 'v1' },
      ...(this.options.policyReportCrd === true ? [{ name: 'wgpolicyk8s.io', version: 'v1alpha2' }] : []),
    ];
    if (path === '/version') return { major: '1', minor: '32', gitVersion: 'v1.32.0', platform: 'linux/amd64' };
    if (path === '/api') return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [] };
    if (path === '/apis') {
      return {
        kind: 'APIGroupList',
        apiVersion: 'v1',
        groups: groups.map((g) => ({
          name: g.name,
          versions: [{ groupVersion: `${g.name}/${g.version}`, version: g.version }],
          preferredVersion: { groupVersion: `${g.name}/${g.version}`, version: g.version },
        })),
      };
    }
    for (const g of [{ prefix: '/api/v1', groupVersion: 'v1' }, ...groups.map((x) => ({ prefix: `/apis/${x.name}/${x.version}`, groupVersion: `${x.name}/${x.version}` }))]) {
      if (path === g.prefix) {
        return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: g.groupVersion, resources: served.filter((t) => t.prefix === g.prefix).map(resource) };
      }
    }
    return undefined;
  }

  private handleResource(
    method: string,
    path: string,
    text: string,
    send: (code: number, body: unknown) => void,
    status: (code: number, reason: string, message: string) => void,
  ): void {
    const notFound = (): void => status(404, 'NotFound', `the server could not find the requested resource (${method} ${path})`);
    for (const type of RESOURCE_TYPES) {
      if (!path.startsWith(`${type.prefix}/`)) continue;
      if (type.kind === 'PolicyReport' && this.options.policyReportCrd !== true) return notFound();
      const rest = path.slice(type.prefix.length + 1).split('/').map(decodeURIComponent);
      let namespace: string | undefined;
      let name: string | undefined;
      if (rest.length === 1 && rest[0] === type.plural) {
        // a cluster-wide list
      } else if (type.namespaced && rest.length >= 3 && rest.length <= 4 && rest[0] === 'namespaces' && rest[2] === type.plural) {
        namespace = rest[1];
        name = rest[3];
      } else if (!type.namespaced && rest.length === 2 && rest[0] === type.plural) {
        name = rest[1];
      } else {
        continue;
      }
      const store = this.resources.get(type.plural) ?? new Map<string, JsonObject>();
      this.resources.set(type.plural, store);
      const apiVersion = type.prefix === '/api/v1' ? 'v1' : type.prefix.slice('/apis/'.length);
      const key = `${namespace ?? ''}/${name ?? ''}`;
      if (method === 'GET' && name === undefined) {
        const items = [...store.entries()].filter(([k]) => namespace === undefined || k.startsWith(`${namespace}/`)).map(([, v]) => v);
        return send(200, { kind: `${type.kind}List`, apiVersion, metadata: { resourceVersion: String(this.version) }, items });
      }
      if (method === 'GET') {
        const o = store.get(key);
        return o === undefined ? status(404, 'NotFound', `${type.plural} "${name}" not found`) : send(200, o);
      }
      if (type.kind !== 'PolicyReport') return status(405, 'MethodNotAllowed', `the fake serves ${type.plural} read-only`);
      const body = JSON.parse(text) as JsonObject;
      if (method === 'POST' && name === undefined && namespace !== undefined) {
        const newName = (body['metadata'] as { name: string }).name;
        if (store.has(`${namespace}/${newName}`)) return status(409, 'AlreadyExists', `${type.plural} "${newName}" already exists`);
        (body['metadata'] as JsonObject)['namespace'] = namespace;
        store.set(`${namespace}/${newName}`, this.stamp(body));
        return send(201, store.get(`${namespace}/${newName}`));
      }
      if (method === 'PUT' && name !== undefined) {
        const current = store.get(key);
        if (current === undefined) return status(404, 'NotFound', `${type.plural} "${name}" not found`);
        if ((body['metadata'] as JsonObject)['resourceVersion'] !== (current['metadata'] as JsonObject)['resourceVersion']) {
          return status(409, 'Conflict', `Operation cannot be fulfilled on ${type.plural} "${name}": the object has been modified`);
        }
        store.set(key, this.stamp(body));
        return send(200, store.get(key));
      }
      return status(405, 'MethodNotAllowed', `${method} ${path}`);
    }
    return notFound();
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
