import { base } from '../../jest.base.js';

/** `npm run lab:gossip`: the gossip lab (real Serf agents from Debian's `serf` on 127.79.84.0/24). */
export default {
  ...base,
  roots: ['<rootDir>/test/gossip-lab'],
  testMatch: ['**/*.lab.ts'],
  testTimeout: 120000,
  maxWorkers: 1,
};
