import { base } from './jest.base.js';

/** `npm test`: every *.test.ts under test/ (not the *.lab.ts / *.e2e.ts suites). */
export default {
  ...base,
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  testTimeout: 30000,
  globalSetup: '<rootDir>/test/global-setup.ts',
};
