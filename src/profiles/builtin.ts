import type { Profile } from './types.js';
import { BUILTIN_UPGRADE_PATHS } from './upgrade-path-data.js';

/**
 * Built-in profiles. Facts come from the upstream projects (docs/contract.md, Profiles): image names, where
 * identity lives, how a node leaves, and how long a clean stop takes.
 */
/**
 * JMX credentials for `nodetool drain`. No image defines env for them: the official image's
 * cassandra-env.sh only switches JMX authentication on (LOCAL_JMX=no, password file
 * /etc/cassandra/jmxremote.password, "user password" lines); Bitnami's CASSANDRA_USER /
 * CASSANDRA_PASSWORD are the CQL superuser, not JMX. nodetool takes -u with -pwf (a file in that
 * same format) or -pw, so the container declares them in these env names (the password file
 * preferred: the password stays off the command line).
 */
const CASSANDRA_JMX_CREDENTIALS = {
  usernameEnv: 'CASSANDRA_JMX_USERNAME',
  passwordEnv: 'CASSANDRA_JMX_PASSWORD',
  passwordFileEnv: 'CASSANDRA_JMX_PASSWORD_FILE',
} as const;

export const BUILTIN_PROFILES: readonly Profile[] = [
  {
    name: 'cassandra',
    images: [
      'cassandra',
      'bitnami/cassandra',
      'bitnamilegacy/cassandra',
      'k8ssandra/cass-management-api',
      'datastax/cassandra',
    ],
    nodeNameMode: 'never',
    leave: [
      {
        // The management API images drain through their HTTP API (as cass-operator does).
        images: ['k8ssandra/cass-management-api'],
        command: [
          'wget',
          '--output-document',
          '/dev/null',
          '--no-check-certificate',
          '--post-data=',
          'http://localhost:8080/api/v0/ops/node/drain',
        ],
      },
      {
        // Cassandra before 3.0.27, 3.11.13 and 4.0.4 builds the JMX URL as rmi://[127.0.0.1]:7199,
        // which JDKs from 8u331 / 11.0.15 / 17.0.3 reject ("Malformed IPv6 address at index 7",
        // CASSANDRA-17581), so an old image on a newer JDK cannot drain. bin/nodetool passes -D
        // options to its JVM; this one restores the JDK's legacy RMI URL parsing (JDK-8278972), and
        // is ignored by JDKs that predate it.
        images: [],
        versions: [
          { from: '0', below: '3.0.27' },
          { from: '3.1', below: '3.11.13' },
          { from: '4.0', below: '4.0.4' },
        ],
        command: ['nodetool', '-Dcom.sun.jndi.rmiURLParsing=legacy', 'drain'],
        jmxCredentials: CASSANDRA_JMX_CREDENTIALS,
      },
      { images: [], command: ['nodetool', 'drain'], jmxCredentials: CASSANDRA_JMX_CREDENTIALS },
    ],
    minGraceSeconds: 120,
    premigration: 'required',
    dataDirs: ['/var/lib/cassandra', '/bitnami/cassandra'],
    // The messaging protocol changes with the major version (3.x -> 4.x: CASSANDRA-19244).
    migrateOn: 'major',
    // 5.0 upgrades only from 4.0/4.1, and 4.x only from 3.0/3.11.
    upgradePath: ['3', '4', '5'],
    premigrateScript: 'cassandra',
    upgradePaths: BUILTIN_UPGRADE_PATHS['cassandra']!,
  },
  {
    name: 'scylla',
    images: ['scylladb/scylla', 'scylladb/scylla-enterprise'],
    nodeNameMode: 'never',
    leave: [{ images: [], command: ['nodetool', 'drain'] }],
    minGraceSeconds: 900,
    premigration: 'required',
    dataDirs: ['/var/lib/scylla'],
    // Scylla's feature releases (5.2 -> 5.4) change the wire features gossip negotiates.
    migrateOn: 'minor',
    premigrateScript: 'scylla',
    upgradePaths: BUILTIN_UPGRADE_PATHS['scylla']!,
  },
  {
    name: 'consul',
    images: ['hashicorp/consul', 'hashicorp/consul-enterprise', 'consul'],
    // Evidence (consul lab, README "Why"): a client without persistent data that crashes and
    // comes back on a new IP under its pod name is refused ("Conflicting address") while the
    // dead agent stays alive and passing for as long as the lab watches (75 s, well past the 30 s
    // dead-node reclaim time); under a per-incarnation name it joins at once and the old one is a
    // failed, critical node until reconnect_timeout. With /consul/data on a volume (servers), the
    // agent keeps its node ID and must keep its name.
    nodeNameMode: 'unless-persistent-data',
    persistentDataPath: '/consul/data',
    leave: [
      {
        images: [],
        // The CLI takes its address, token and TLS settings from the container's env
        // (CONSUL_HTTP_ADDR, CONSUL_HTTP_TOKEN[_FILE], CONSUL_HTTP_SSL, CONSUL_CACERT, ...), so the
        // hook needs no flags. Evidence: consul lab, README "Why".
        command: ['consul', 'leave'],
        requiresEnv: {
          anyOf: ['CONSUL_HTTP_TOKEN', 'CONSUL_HTTP_TOKEN_FILE'],
          why:
            'with ACLs on, a leave needs a token with agent:write and is refused (403) without one; ' +
            'a Consul client leaves on SIGTERM by default (leave_on_terminate), so set one of them only if it does not',
        },
      },
    ],
    servers: {
      flags: ['-server'],
      // The official image merges CONSUL_LOCAL_CONFIG (JSON) into its config (docker-entrypoint.sh).
      env: [{ name: 'CONSUL_LOCAL_CONFIG', pattern: '"server"\\s*:\\s*true' }],
      // bitnami/containers consul: CONSUL_AGENT_MODE defaults to server (rootfs/opt/bitnami/scripts/consul-env.sh).
      images: ['bitnami/consul', 'bitnamilegacy/consul'],
      clientEnv: { name: 'CONSUL_AGENT_MODE', value: 'client' },
      // hashicorp/consul-k8s charts/consul/templates/server-statefulset.yaml: server mode is in the
      // mounted config ("server": true), the pods are labelled component: server.
      labels: [{ key: 'component', value: 'server' }],
      why:
        'a server that leaves is removed from the Raft peer set, shrinking the quorum for every restart; ' +
        'servers keep their data and name and rejoin without leaving',
    },
    minGraceSeconds: 30,
    premigration: 'optional',
    dataDirs: ['/consul/data', '/bitnami/consul'],
    upgradePaths: BUILTIN_UPGRADE_PATHS['consul']!,
  },
  {
    name: 'serf',
    images: ['hashicorp/serf'],
    nodeNameMode: 'always',
    leave: [
      {
        images: [],
        command: ['serf', 'leave'],
        // `serf leave` reads SERF_RPC_ADDR and SERF_RPC_AUTH from the env (serf cmd/serf/command/rpc.go);
        // an agent started with -rpc-addr/-rpc-auth on its command line and not in the env is
        // reached by repeating them.
        forwardFlags: [
          { flag: '-rpc-addr', env: 'SERF_RPC_ADDR' },
          { flag: '-rpc-auth', env: 'SERF_RPC_AUTH' },
        ],
      },
    ],
    minGraceSeconds: 20,
    premigration: 'not-applicable',
    dataDirs: [],
  },
  {
    // Applications that embed github.com/hashicorp/memberlist directly (no Serf, no CLI). Their
    // images are the users' own, so the profile matches none until a config adds them with
    // `extraImages`. Evidence (memberlist lab, README "Why"): memberlist rejects a live name from a
    // new address ("Conflicting address") until the old member is dead and forgotten
    // (DeadNodeReclaimTime is 0 by default), so names are per incarnation. There is no CLI to
    // exec: the app leaves on SIGTERM itself (Memberlist.Leave), so no preStop is injected and
    // the grace period only has to cover that leave's broadcast.
    name: 'memberlist',
    images: [],
    nodeNameMode: 'always',
    leave: [],
    minGraceSeconds: 20,
    premigration: 'not-applicable',
    dataDirs: [],
  },
  {
    name: 'elasticsearch',
    images: ['docker.elastic.co/elasticsearch/elasticsearch', 'elasticsearch', 'opensearchproject/opensearch'],
    nodeNameMode: 'never',
    leave: [],
    minGraceSeconds: 180,
    premigration: 'optional',
    dataDirs: ['/usr/share/elasticsearch/data', '/usr/share/opensearch/data'],
    upgradePaths: BUILTIN_UPGRADE_PATHS['elasticsearch']!,
  },
  {
    name: 'etcd',
    images: ['quay.io/coreos/etcd', 'gcr.io/etcd-development/etcd', 'registry.k8s.io/etcd', 'bitnami/etcd'],
    nodeNameMode: 'never',
    leave: [],
    minGraceSeconds: 30,
    premigration: 'not-applicable',
    dataDirs: ['/var/lib/etcd', '/bitnami/etcd/data'],
    upgradePaths: BUILTIN_UPGRADE_PATHS['etcd']!,
  },
];
