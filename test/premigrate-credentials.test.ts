import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ANNOTATION_MIGRATE_FROM, PREMIGRATE_CONTAINER } from '../src/contract.js';
import type { Container, EnvVar, Pod } from '../src/k8s/types.js';
import { mutatePod } from '../src/mutate/pod.js';
import { premigrateScript } from '../src/premigrate/index.js';
import { BUILTIN_PROFILES } from '../src/profiles/builtin.js';
import { createProfileSet } from '../src/profiles/profile-set.js';
import { loadReview } from './helpers/fixtures.js';
import { createSandbox, type Sandbox, type StatusPhase } from './helpers/premigrate-sandbox.js';

/**
 * Issue 22 item 4: the pre-migration script reaches a JMX that wants credentials, and an old
 * image that needs the legacy RMI URL parsing, the way the leave hook does; the webhook never
 * injects a container whose nodetool calls can only be refused.
 */
const ALONE: readonly StatusPhase[] = [{ from: 1, nodes: [['UN', 'self']] }];
const PASSWORD_FILE = '/etc/cassandra/jmxremote.password';

function seedNodeData(dataDir: string): void {
  const table = join(dataDir, 'data', 'system', 'local-7ad54392bcdd35a684174e047860b377');
  mkdirSync(table, { recursive: true });
  writeFileSync(join(table, 'me-1-big-Data.db'), 'sstable');
}

describe('the script passes JMX credentials and the old image JVM options to every nodetool call (dash)', () => {
  let sb: Sandbox;
  afterEach(() => sb.cleanup());
  const script = (): string => premigrateScript('cassandra', { dataDirs: [sb.dataDir], timeoutSeconds: 600 });

  test('user, password file, port and -Dcom.sun.jndi.rmiURLParsing=legacy on info, status, drain and stopdaemon', async () => {
    sb = createSandbox({ server: 'cassandra', withEntrypoint: true, status: ALONE, requireAuth: `user=cassandra -pwf=${PASSWORD_FILE}` });
    seedNodeData(sb.dataDir);
    const res = await sb.run(script(), {
      env: {
        GOSSIP_SAFE_JMX_CREDENTIALS: 'CASSANDRA_JMX_USERNAME CASSANDRA_JMX_PASSWORD_FILE CASSANDRA_JMX_PASSWORD',
        CASSANDRA_JMX_USERNAME: 'cassandra',
        CASSANDRA_JMX_PASSWORD_FILE: PASSWORD_FILE,
        GOSSIP_SAFE_NODETOOL_OPTS: '-Dcom.sun.jndi.rmiURLParsing=legacy',
        JMX_PORT: '7299',
        GOSSIP_SAFE_PREMIGRATE_TIMEOUT: '3',
      },
    });
    expect(res.log.filter((l) => l.startsWith('FAILED'))).toEqual([]);
    expect(res.code).toBe(0);
    const args = sb.nodetoolArgs();
    const prefix = `-Dcom.sun.jndi.rmiURLParsing=legacy -p 7299 -u cassandra -pwf ${PASSWORD_FILE} `;
    expect(args.filter((a) => !a.startsWith(prefix))).toEqual([]);
    expect(new Set(args.map((a) => a.slice(prefix.length)))).toEqual(new Set(['info', 'status', 'drain', 'stopdaemon']));
  });

  test('a password in the env (no file) is passed with -pw', async () => {
    sb = createSandbox({ server: 'cassandra', withEntrypoint: true, status: ALONE, requireAuth: 'user=cassandra -pw=s3cret' });
    seedNodeData(sb.dataDir);
    const res = await sb.run(script(), {
      env: { GOSSIP_SAFE_JMX_CREDENTIALS: 'CASSANDRA_JMX_USERNAME CASSANDRA_JMX_PASSWORD_FILE CASSANDRA_JMX_PASSWORD', CASSANDRA_JMX_USERNAME: 'cassandra', CASSANDRA_JMX_PASSWORD: 's3cret', GOSSIP_SAFE_PREMIGRATE_TIMEOUT: '3' },
    });
    expect(res.code).toBe(0);
  });

  test('refused by JMX authentication: fails at once with the JMX error, instead of waiting out the timeout', async () => {
    sb = createSandbox({ server: 'cassandra', withEntrypoint: true, status: ALONE, requireAuth: `user=cassandra -pwf=${PASSWORD_FILE}` });
    seedNodeData(sb.dataDir);
    const res = await sb.run(script(), { env: { GOSSIP_SAFE_PREMIGRATE_TIMEOUT: '600' }, killAfterMs: 20_000 });
    expect(res.signal).toBeNull();
    expect(res.code).toBe(1);
    expect(sb.marker()).toBeUndefined();
    const failed = res.log.find((l) => l.startsWith('FAILED'));
    expect(failed).toContain("FAILED: nodetool was refused by JMX authentication (nodetool: Failed to connect to '127.0.0.1:7199' - SecurityException: 'Authentication failed! Credentials required'.)");
  });
});

describe('admission: credentials and the RMI flag on the injected container; none that can only time out', () => {
  const profiles = createProfileSet(BUILTIN_PROFILES);
  const ctx = { profiles };

  function pod(from: string, env: readonly EnvVar[]): Pod {
    const review = loadReview('pod-create-from-statefulset-new-revision-cassandra.json');
    const p = review.request.object as Pod;
    p.metadata = { ...p.metadata, annotations: { ...p.metadata?.annotations, [ANNOTATION_MIGRATE_FROM]: from } };
    const main = p.spec!.containers[0]!;
    main.env = [...(main.env ?? []), ...env];
    return p;
  }
  const init = (p: Pod): Container | undefined => p.spec?.initContainers?.find((c) => c.name === PREMIGRATE_CONTAINER);
  const env = (c: Container | undefined, name: string): string | undefined => c?.env?.find((e) => e.name === name)?.value ?? undefined;

  test('JMX authentication on (LOCAL_JMX=no) and no credentials: no init container, a warning that says why and how to fix it', () => {
    const result = mutatePod(pod('cassandra:3.11.16', [{ name: 'LOCAL_JMX', value: 'no' }]), ctx);
    expect(init(result.object)).toBeUndefined();
    expect(result.warnings.join('\n')).toContain(
      'JMX authentication is on (LOCAL_JMX=no) and container "cassandra" sets no CASSANDRA_JMX_USERNAME with CASSANDRA_JMX_PASSWORD_FILE or CASSANDRA_JMX_PASSWORD',
    );
  });

  test('with credentials in the env: injected, told where the credentials are; an old 3.11.12 also gets the legacy RMI flag', () => {
    const creds: EnvVar[] = [
      { name: 'LOCAL_JMX', value: 'no' },
      { name: 'CASSANDRA_JMX_USERNAME', value: 'cassandra' },
      { name: 'CASSANDRA_JMX_PASSWORD_FILE', value: PASSWORD_FILE },
    ];
    const old = init(mutatePod(pod('cassandra:3.11.12', creds), ctx).object);
    expect(env(old, 'GOSSIP_SAFE_JMX_CREDENTIALS')).toBe('CASSANDRA_JMX_USERNAME CASSANDRA_JMX_PASSWORD_FILE CASSANDRA_JMX_PASSWORD');
    expect(env(old, 'GOSSIP_SAFE_NODETOOL_OPTS')).toBe('-Dcom.sun.jndi.rmiURLParsing=legacy');
    const fixed = init(mutatePod(pod('cassandra:3.11.16', creds), ctx).object);
    expect(env(fixed, 'GOSSIP_SAFE_JMX_CREDENTIALS')).toBe('CASSANDRA_JMX_USERNAME CASSANDRA_JMX_PASSWORD_FILE CASSANDRA_JMX_PASSWORD');
    expect(env(fixed, 'GOSSIP_SAFE_NODETOOL_OPTS')).toBeUndefined();
  });
});
