import { base } from '../../jest.base.js';

/** `npm run lab:memberlist`: the memberlist lab (real memberlist nodes on 127.79.86.0/24). */
export default {
  ...base,
  roots: ['<rootDir>/test/memberlist-lab'],
  testMatch: ['**/*.lab.ts'],
  // The first run builds the app with Go (beforeAll); each case bounds itself.
  testTimeout: 120000,
  maxWorkers: 1,
};
