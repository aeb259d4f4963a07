import type { UpgradePathRow, UpgradeTable } from './types.js';

/**
 * The built-in upgrade-path tables, per profile, as data (see upgrade-paths.ts for how they are
 * read, docs/upgrade-paths.md for the rendered tables). Every row names its upstream source.
 * Operators replace a profile's tables with `upgradePaths` in the profiles config file.
 */

// ---------------------------------------------------------------- Cassandra
const CASSANDRA_NEWS_40 = 'apache/cassandra NEWS.txt (cassandra-4.0), "Upgrading": 4.0 upgrades from 3.0.x and 3.x only';
const CASSANDRA: UpgradeTable = {
  product: 'Apache Cassandra',
  rows: [
    {
      direction: 'up',
      from: '2',
      to: '4',
      verdict: 'deny',
      example: ['2.2.19', '4.1.5'],
      via: '3.11',
      why: '4.x reads no SSTable format older than `ma` (3.0) and does not talk to 2.x nodes; run `nodetool upgradesstables` on 3.11',
      // BigFormat (cassandra-4.0): earliest_supported_version = "ma".
      source: `${CASSANDRA_NEWS_40}; src/java/org/apache/cassandra/io/sstable/format/big/BigFormat.java (cassandra-4.0) earliest_supported_version "ma"`,
    },
    {
      direction: 'up',
      from: '2',
      to: '5',
      verdict: 'deny',
      example: ['2.2.19', '5.0.2'],
      via: '3.11',
      why: '5.0 reads no SSTable format older than `ma` (3.0) and accepts no messaging from nodes older than 4.0',
      source: `${CASSANDRA_NEWS_40}; src/java/org/apache/cassandra/net/MessagingService.java (cassandra-5.0), CASSANDRA-18816`,
    },
    {
      direction: 'up',
      from: '3',
      to: '5',
      verdict: 'deny',
      example: ['3.11.16', '5.0.2'],
      via: '4.1',
      why: '5.0 refuses messaging from nodes older than 4.0, so a mixed 3.x/5.0 ring splits',
      // MessagingService (cassandra-5.0): VERSION_30 and VERSION_3014 removed, minimum is VERSION_40.
      source: 'apache/cassandra src/java/org/apache/cassandra/net/MessagingService.java (cassandra-5.0), CASSANDRA-18816; NEWS.txt (cassandra-5.0), "Upgrading"',
    },
    {
      direction: 'down',
      across: 'minor',
      verdict: 'deny',
      example: ['4.1.5', '4.0.13'],
      fix: 'go back by restoring the snapshot taken before the upgrade',
      why: 'Cassandra supports no downgrade: a release may not read the system tables, commit log or SSTables a later release wrote',
      source: 'apache/cassandra NEWS.txt (cassandra-4.1, cassandra-5.0), "Upgrading": downgrades are not supported',
    },
  ],
};

// ---------------------------------------------------------------- ScyllaDB
const SCYLLA_POLICY = 'https://docs.scylladb.com/manual/stable/upgrade/about-upgrade.html';
const SCYLLA: UpgradeTable = {
  product: 'ScyllaDB (open source X.Y and Enterprise/2024.x, 2025.x numbering)',
  rows: [
    {
      direction: 'up',
      from: '2024',
      to: '2025.1',
      verdict: 'allow',
      example: ['2024.1.9', '2025.1.0'],
      why: 'ScyllaDB Enterprise 2024.1 and 2024.2 upgrade directly to 2025.1',
      source: 'https://docs.scylladb.com/manual/branch-2025.1/upgrade/upgrade-guides/upgrade-guide-from-2024.x-to-2025.1/',
    },
    {
      direction: 'up',
      from: '2025',
      to: '2025.4',
      verdict: 'allow',
      example: ['2025.1.2', '2025.4.0'],
      why: 'from 2025.4, upgrades may skip minor versions within a major (2025.1 -> 2025.4)',
      source: 'https://docs.scylladb.com/manual/branch-2025.4/upgrade/upgrade-guides/upgrade-guide-from-2025.x-to-2025.4/',
    },
    {
      direction: 'up',
      from: '2025',
      to: '2026.1',
      verdict: 'allow',
      example: ['2025.3.1', '2026.1.0'],
      why: 'a major (LTS) release upgrades from any release of the previous major',
      source: 'https://docs.scylladb.com/manual/branch-2026.1/upgrade/upgrade-guides/upgrade-guide-from-2025.x-to-2026.1/',
    },
  ],
  consecutive: {
    series: [
      ['5.0', '5.1', '5.2', '5.4', '6.0', '6.1', '6.2', '2025.1', '2025.2', '2025.3', '2025.4', '2026.1'],
      ['2022.1', '2022.2', '2023.1', '2024.1', '2024.2', '2025.1'],
    ],
    rollback: 'warn',
    why: 'before 2025.4, ScyllaDB supports only consecutive X.Y upgrades, each with its own upgrade guide (5.2 -> 5.4 -> 6.0 -> 6.1 -> 6.2 -> 2025.1)',
    source: `${SCYLLA_POLICY} (upgrade policy); each "Upgrade from X to Y" guide has a rollback procedure to its previous release only`,
  },
};

// ---------------------------------------------------------------- Elasticsearch / OpenSearch
// A node refuses a data path written by a newer version: NodeMetadata.upgradeToCurrentVersion
// throws "cannot downgrade a node from version [...] to version [...]".
const ES_DOWNGRADE: UpgradePathRow = {
  direction: 'down',
  verdict: 'deny',
  fix: 'going back needs a snapshot restored into a cluster of the older version',
  why: 'a node refuses a data path written by a newer version ("cannot downgrade a node from version")',
  source: 'elastic/elasticsearch server/src/main/java/org/elasticsearch/env/NodeMetadata.java (7.x, 8.x)',
  example: ['8.12.2', '8.11.4'],
};
const ES_UPGRADE = 'https://www.elastic.co/guide/en/elasticsearch/reference/current/setup-upgrade.html';
// Version.minimumCompatibilityVersion(): a major accepts nodes of the last minor of the previous major only.
const ES_VERSION = 'elastic/elasticsearch server/src/main/java/org/elasticsearch/Version.java (8.x) minimumCompatibilityVersion';
function lastMinorFirst(from: string, to: string, via: string, source: string, example: readonly [string, string]): UpgradePathRow {
  return { direction: 'up', from, to, verdict: 'deny', via, example, why: `a ${to}.x node joins a cluster of ${via} nodes only (the last minor of ${from}.x)`, source };
}
function lastMinorAllowed(from: string, to: string, source: string, example: readonly [string, string]): UpgradePathRow {
  return { direction: 'up', from, to, verdict: 'allow', example, why: `${from} is the last minor of its major, the one ${to}.x upgrades from`, source };
}
const ELASTICSEARCH: UpgradeTable = {
  product: 'Elasticsearch',
  images: ['docker.elastic.co/elasticsearch/elasticsearch', 'elasticsearch'],
  rows: [
    ES_DOWNGRADE,
    lastMinorAllowed('5.6', '6', `${ES_UPGRADE} (6.x: "upgrade to 5.6 first")`, ['5.6.16', '6.8.23']),
    lastMinorFirst('5', '6', '5.6', `${ES_UPGRADE} (6.x)`, ['5.4.3', '6.8.23']),
    lastMinorAllowed('6.8', '7', `${ES_UPGRADE} (7.x: "upgrade to 6.8 first")`, ['6.8.23', '7.17.25']),
    lastMinorFirst('6', '7', '6.8', `${ES_UPGRADE} (7.x)`, ['6.4.3', '7.17.25']),
    lastMinorAllowed('7.17', '8', `${ES_UPGRADE} (8.x: "upgrade to 7.17 first"); ${ES_VERSION}`, ['7.17.25', '8.15.3']),
    lastMinorFirst('6', '8', '6.8', `${ES_UPGRADE} (8.x)`, ['6.8.23', '8.15.3']),
    lastMinorFirst('7', '8', '7.17', `${ES_UPGRADE} (8.x: "upgrade to 7.17 first"); ${ES_VERSION}`, ['7.10.2', '8.15.3']),
    lastMinorAllowed('8.18', '9.0', `${ES_UPGRADE} (9.0 upgrades from 8.18)`, ['8.18.2', '9.0.1']),
    lastMinorAllowed('8.19', '9', `${ES_UPGRADE} (9.x upgrades from 8.19)`, ['8.19.3', '9.1.2']),
    lastMinorFirst('7', '9', '7.17', `${ES_UPGRADE} (9.x)`, ['7.17.25', '9.1.2']),
    lastMinorFirst('8', '9', '8.19', `${ES_UPGRADE} (9.x)`, ['8.15.3', '9.1.2']),
  ],
};
const OS_VERSION = 'opensearch-project/OpenSearch libs/core/src/main/java/org/opensearch/Version.java (2.x, 3.x) minimumCompatibilityVersion';
const OPENSEARCH: UpgradeTable = {
  product: 'OpenSearch',
  images: ['opensearchproject/opensearch'],
  rows: [
    { ...ES_DOWNGRADE, source: 'opensearch-project/OpenSearch server/src/main/java/org/opensearch/env/NodeMetadata.java (1.x, 2.x)', example: ['2.19.1', '2.18.0'] },
    lastMinorAllowed('1.3', '2', `https://docs.opensearch.org/latest/install-and-configure/upgrade-opensearch/index/ (1.3 -> 2.x); ${OS_VERSION}`, ['1.3.20', '2.19.1']),
    lastMinorFirst('1', '2', '1.3', OS_VERSION, ['1.2.4', '2.19.1']),
    lastMinorAllowed('2.19', '3', `https://docs.opensearch.org/latest/install-and-configure/upgrade-opensearch/index/ (2.19 -> 3.x); ${OS_VERSION}`, ['2.19.1', '3.1.0']),
    lastMinorFirst('1', '3', '1.3', OS_VERSION, ['1.3.20', '3.1.0']),
    lastMinorFirst('2', '3', '2.19', OS_VERSION, ['2.11.1', '3.1.0']),
  ],
};

// ---------------------------------------------------------------- etcd
const ETCD: UpgradeTable = {
  product: 'etcd',
  rows: [
    {
      direction: 'down',
      from: '3.6',
      to: '3.5',
      verdict: 'deny',
      example: ['v3.6.4', 'v3.5.21'],
      fix: 'run `etcdctl downgrade validate 3.5` and `etcdctl downgrade enable 3.5` first, then set the allow-downgrade annotation',
      why: 'a 3.5 member starts on a 3.6 data directory only after the cluster version was lowered with `etcdctl downgrade`',
      source: 'https://etcd.io/docs/v3.6/downgrades/downgrade_3_6/',
    },
    {
      direction: 'down',
      from: '3.5',
      to: '3.4',
      verdict: 'deny',
      example: ['v3.5.21', 'v3.4.37'],
      fix: 'follow the 3.5 -> 3.4 downgrade guide (unsupported with auth on), then set the allow-downgrade annotation',
      why: '3.5 changed the format of WAL entries (auth); a rolling downgrade needs the guide\'s checklist',
      source: 'https://etcd.io/docs/v3.5/downgrades/downgrade_3_5/',
    },
    {
      direction: 'down',
      across: 'minor',
      verdict: 'deny',
      example: ['v3.6.4', 'v3.4.37'],
      fix: 'downgrade one minor at a time through the documented procedure',
      why: 'etcd documents downgrades by one minor version only (3.6 -> 3.5, 3.5 -> 3.4)',
      source: 'https://etcd.io/docs/v3.6/downgrades/',
    },
  ],
  consecutive: {
    series: [['3.0', '3.1', '3.2', '3.3', '3.4', '3.5', '3.6', '3.7']],
    why: 'etcd upgrades one minor version at a time; an upgrade that skips one is unsupported and will likely fail',
    source: 'https://etcd.io/docs/v3.6/upgrades/upgrading-etcd/ (upgrade policy)',
  },
};

// ---------------------------------------------------------------- Consul
const CONSUL_UPGRADE = 'https://developer.hashicorp.com/consul/docs/upgrade/instructions';
const CONSUL: UpgradeTable = {
  product: 'Consul',
  rows: [
    {
      direction: 'up',
      from: '1.21',
      to: '2',
      verdict: 'allow',
      example: ['1.21.7', '2.0.0'],
      why: '2.0 upgrades from the 1.21 long-term-support line',
      source: `${CONSUL_UPGRADE} (dedicated instructions: 1.21.7 (LTS) - 1.21.x to 2.0.x)`,
    },
    {
      direction: 'up',
      from: '1',
      to: '2',
      verdict: 'deny',
      via: '1.21',
      example: ['1.20.6', '2.0.0'],
      why: '2.0 upgrades from 1.21 only',
      source: `${CONSUL_UPGRADE} (dedicated instructions: 1.21.7 (LTS) - 1.21.x to 2.0.x)`,
    },
    {
      direction: 'down',
      across: 'minor',
      verdict: 'warn',
      example: ['1.20.6', '1.19.2'],
      why: 'Consul documents upgrades only: an older server may not read Raft log or snapshot entries a newer one wrote',
      source: 'https://developer.hashicorp.com/consul/docs/upgrade (standard upgrades)',
    },
  ],
  consecutive: {
    // Consul numbers these "major" versions: 1.12 -> 1.14 is one jump of two.
    series: [['1.2', '1.3', '1.4', '1.5', '1.6', '1.7', '1.8', '1.9', '1.10', '1.11', '1.12', '1.13', '1.14', '1.15', '1.16', '1.17', '1.18', '1.19', '1.20', '1.21', '1.22']],
    maxStep: 2,
    rollback: 'warn',
    why: 'each Consul upgrade should jump at most 2 versions (1.12 -> 1.14 -> 1.15)',
    source: `${CONSUL_UPGRADE} (general upgrade path)`,
  },
};

/** Profile name -> its tables. */
export const BUILTIN_UPGRADE_PATHS: Readonly<Record<string, readonly UpgradeTable[]>> = {
  cassandra: [CASSANDRA],
  scylla: [SCYLLA],
  elasticsearch: [ELASTICSEARCH, OPENSEARCH],
  etcd: [ETCD],
  consul: [CONSUL],
};
