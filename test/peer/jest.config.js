import { base } from '../../jest.base.js';

/**
 * `npm run test:peer`: the benchmark's controller-runtime peer (bench/peers/controller-runtime)
 * against gossip-safe on the recorded pod. Kept out of `npm test` because its first run builds a
 * Go program (minutes, and needs Go); .ci/run runs it after `npm test`.
 */
export default {
  ...base,
  roots: ['<rootDir>/test/peer'],
  testMatch: ['**/*.peer.ts'],
  // The first build of the peer (module download and compile) on a loaded 2-core machine.
  testTimeout: 900_000,
};
