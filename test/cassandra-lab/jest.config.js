// The Cassandra lab (test/cassandra-lab/README.md): real Cassandra nodes in network namespaces,
// upgraded through gossip-safe. Run by `npm run lab:cassandra`; never part of `npm test`.
import { base } from '../../jest.base.js';

/** @type {import('jest').Config} */
export default {
  ...base,
  roots: ['<rootDir>/test/cassandra-lab'],
  testMatch: ['**/*.lab.ts'],
  // One ring at a time on a 2-core machine; each step bounds its own waits.
  maxWorkers: 1,
  testTimeout: 25 * 60_000,
  // The driver's sockets can linger a moment after shutdown(); every process is already gone.
  forceExit: true,
};
