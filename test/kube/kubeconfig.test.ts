import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClusterAccessError, loadKubeConfig } from '../../src/kube/kubeconfig.js';

// One kubeconfig rule for every command (certs, serve --renew-certs, audit, the plugin), kubectl's:
// --kubeconfig, else $KUBECONFIG, else ~/.kube/config, else in-cluster. The certificate commands
// used to prefer in-cluster over ~/.kube/config, the audit the other way round.
const config = (server: string): string => `apiVersion: v1
kind: Config
clusters: [{ name: c, cluster: { server: ${server} } }]
users: [{ name: u, user: { token: t } }]
contexts: [{ name: x, context: { cluster: c, user: u, namespace: ns1 } }, { name: y, context: { cluster: c, user: u } }]
current-context: x
`;

let home: string;
let savedHome: string | undefined;
beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'gs-kubeconfig-'));
  savedHome = process.env['HOME'];
  process.env['HOME'] = home;
});
afterEach(() => {
  if (savedHome === undefined) delete process.env['HOME'];
  else process.env['HOME'] = savedHome;
  rmSync(home, { recursive: true, force: true });
});

const inCluster = { KUBERNETES_SERVICE_HOST: '10.0.0.1', KUBERNETES_SERVICE_PORT: '443' };

test('~/.kube/config wins over the in-cluster service account, as with kubectl', () => {
  mkdirSync(join(home, '.kube'));
  writeFileSync(join(home, '.kube', 'config'), config('https://from-home.example:6443'));
  expect(loadKubeConfig({}, { ...inCluster, HOME: home }).getCurrentCluster()?.server).toBe('https://from-home.example:6443');
});

test('--kubeconfig wins over $KUBECONFIG, and --context picks the context', () => {
  const file = join(home, 'explicit');
  writeFileSync(file, config('https://explicit.example:6443'));
  const kc = loadKubeConfig({ kubeconfig: file, context: 'y' }, { KUBECONFIG: join(home, 'nope') });
  expect([kc.getCurrentCluster()?.server, kc.getCurrentContext()]).toEqual(['https://explicit.example:6443', 'y']);
});

test('nothing configured: one line saying what to do', () => {
  expect(() => loadKubeConfig({}, { HOME: home })).toThrow(new ClusterAccessError('no cluster configured: set KUBECONFIG, pass --kubeconfig FILE, or run in a pod'));
});

test('an unknown --context: one line naming it', () => {
  const file = join(home, 'explicit');
  writeFileSync(file, config('https://explicit.example:6443'));
  expect(() => loadKubeConfig({ kubeconfig: file, context: 'zz' }, {})).toThrow('context "zz" is not in the kubeconfig');
});
