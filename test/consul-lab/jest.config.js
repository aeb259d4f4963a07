import { base } from '../../jest.base.js';

/** `npm run lab:consul`: the Consul lab (real Consul v1.14.8 agents on 127.79.85.0/24). */
export default {
  ...base,
  roots: ['<rootDir>/test/consul-lab'],
  testMatch: ['**/*.lab.ts'],
  // The first run builds Consul with Go (beforeAll, bounded there); each case bounds itself.
  testTimeout: 180000,
  maxWorkers: 1,
};
