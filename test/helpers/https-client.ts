import { Agent, request } from 'node:https';

export interface HttpResult {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json<T = unknown>(): T;
}

/**
 * A real HTTPS client that verifies the server certificate against the given CA (no
 * rejectUnauthorized: false anywhere), with keep-alive like the apiserver's.
 */
export class HttpsClient {
  readonly agent: Agent;

  constructor(
    readonly baseUrl: string,
    ca: string | (() => string),
    options: { keepAlive?: boolean; servername?: string } = {},
  ) {
    this.agent = new Agent({
      keepAlive: options.keepAlive ?? true,
      ca: typeof ca === 'string' ? ca : ca(),
      ...(options.servername === undefined ? {} : { servername: options.servername }),
    });
  }

  send(method: string, path: string, body?: string | Buffer, headers: Record<string, string> = {}): Promise<HttpResult> {
    return new Promise((resolve, reject) => {
      const req = request(
        new URL(path, this.baseUrl),
        { method, agent: this.agent, headers: body === undefined ? headers : { 'content-length': String(Buffer.byteLength(body)), ...headers } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: <T>() => JSON.parse(text) as T });
          });
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }

  postJson(path: string, body: unknown): Promise<HttpResult> {
    return this.send('POST', path, typeof body === 'string' ? body : JSON.stringify(body), { 'content-type': 'application/json' });
  }

  close(): void {
    this.agent.destroy();
  }
}
