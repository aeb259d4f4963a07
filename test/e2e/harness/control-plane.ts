import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { generatePki, kubeconfigYaml, writePki } from './pki.js';
import { freePort, isAlive, startDetached, waitFor } from './procs.js';

export interface Binaries {
  readonly etcd: string;
  readonly 'kube-apiserver': string;
  readonly 'kube-controller-manager': string;
  readonly kubectl: string;
}

export interface ControlPlane {
  readonly server: string;
  readonly kubeconfig: string;
  readonly pgids: number[];
}

/** GET `path` on the apiserver with the admin's client certificate; resolves with status and body. */
function adminGet(server: string, path: string, tls: { ca: string; cert: string; key: string }): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, server), { ...tls, timeout: 5000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

function tail(file: string, lines = 15): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/**
 * Starts etcd, kube-apiserver and kube-controller-manager on 127.0.0.1 (OS-chosen free ports)
 * with a fresh PKI in `dir`; no scheduler and no kubelet, so pods stay Pending. Every process
 * is in its own process group, recorded in `onStarted` as soon as it runs, so a failure later
 * still stops the earlier ones.
 */
export async function startControlPlane(bin: Binaries, dir: string, onStarted: (pgid: number) => void): Promise<ControlPlane> {
  const pki = await generatePki();
  const pkiDir = join(dir, 'pki');
  mkdirSync(pkiDir, { mode: 0o700 });
  const files = writePki(pki, pkiDir);
  const logs = join(dir, 'logs');
  mkdirSync(logs, { recursive: true });
  const pgids: number[] = [];
  const started = (pgid: number): number => {
    pgids.push(pgid);
    onStarted(pgid);
    return pgid;
  };

  const [etcdClient, etcdPeer, apiPort] = [await freePort(), await freePort(), await freePort()];
  const etcdLog = join(logs, 'etcd.log');
  const etcd = started(
    startDetached(bin.etcd, [
      '--name=e2e',
      `--data-dir=${join(dir, 'etcd')}`,
      `--listen-client-urls=http://127.0.0.1:${etcdClient}`,
      `--advertise-client-urls=http://127.0.0.1:${etcdClient}`,
      `--listen-peer-urls=http://127.0.0.1:${etcdPeer}`,
      `--initial-advertise-peer-urls=http://127.0.0.1:${etcdPeer}`,
      `--initial-cluster=e2e=http://127.0.0.1:${etcdPeer}`,
      '--unsafe-no-fsync',
      '--log-level=warn',
    ], etcdLog),
  );

  const server = `https://127.0.0.1:${apiPort}`;
  const apiLog = join(logs, 'kube-apiserver.log');
  const api = started(
    startDetached(bin['kube-apiserver'], [
      `--etcd-servers=http://127.0.0.1:${etcdClient}`,
      '--bind-address=127.0.0.1',
      '--advertise-address=127.0.0.1',
      // No 'kubernetes' Service endpoints: the reconciler refuses a loopback address, and no pod runs.
      '--endpoint-reconciler-type=none',
      `--secure-port=${apiPort}`,
      `--cert-dir=${join(dir, 'apiserver')}`,
      `--tls-cert-file=${files.serverCert}`,
      `--tls-private-key-file=${files.serverKey}`,
      `--client-ca-file=${files.caCert}`,
      '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
      `--service-account-key-file=${files.saPublic}`,
      `--service-account-signing-key-file=${files.saPrivate}`,
      '--service-cluster-ip-range=10.0.0.0/24',
      '--authorization-mode=RBAC',
      '--enable-priority-and-fairness=false',
      '--profiling=false',
      '--v=1',
    ], apiLog),
  );
  const tls = { ca: pki.caCert, cert: pki.adminCert, key: pki.adminKey };
  try {
    await waitFor(
      'kube-apiserver /readyz',
      async () => {
        if (!isAlive(api)) throw new Error('kube-apiserver exited');
        if (!isAlive(etcd)) throw new Error('etcd exited');
        const res = await adminGet(server, '/readyz', tls);
        return res.status === 200 ? true : undefined;
      },
      180_000,
      500,
    );
  } catch (err) {
    throw new Error(`${(err as Error).message}\n--- etcd log (${etcdLog}):\n${tail(etcdLog)}\n--- kube-apiserver log (${apiLog}):\n${tail(apiLog)}`, { cause: err });
  }

  const kubeconfig = join(dir, 'admin.kubeconfig');
  writeFileSync(kubeconfig, kubeconfigYaml(server, pki.caCert, { cert: pki.adminCert, key: pki.adminKey }), { mode: 0o600 });

  const kcmLog = join(logs, 'kube-controller-manager.log');
  const kcm = started(
    startDetached(bin['kube-controller-manager'], [
      `--kubeconfig=${kubeconfig}`,
      `--authentication-kubeconfig=${kubeconfig}`,
      `--authorization-kubeconfig=${kubeconfig}`,
      '--bind-address=127.0.0.1',
      `--secure-port=${await freePort()}`,
      `--cert-dir=${join(dir, 'kcm')}`,
      '--leader-elect=false',
      // Only what admission scenarios need: workloads create pods, namespaces get their default
      // ServiceAccount and the root CA ConfigMap, and deleted namespaces are emptied.
      '--controllers=statefulset-controller,replicaset-controller,deployment-controller,serviceaccount-controller,namespace-controller,garbage-collector-controller,root-ca-certificate-publisher-controller',
      `--root-ca-file=${files.caCert}`,
      `--service-account-private-key-file=${files.saPrivate}`,
      '--v=1',
    ], kcmLog),
  );
  try {
    await waitFor(
      'kube-controller-manager to create ServiceAccount default/default',
      async () => {
        if (!isAlive(kcm)) throw new Error('kube-controller-manager exited');
        const res = await adminGet(server, '/api/v1/namespaces/default/serviceaccounts/default', tls);
        return res.status === 200 ? true : undefined;
      },
      120_000,
      500,
    );
  } catch (err) {
    throw new Error(`${(err as Error).message}\n--- kube-controller-manager log (${kcmLog}):\n${tail(kcmLog)}`, { cause: err });
  }
  return { server, kubeconfig, pgids };
}
