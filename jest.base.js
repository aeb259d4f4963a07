// What every Jest configuration of the project shares: TypeScript sources run as native ES
// modules (the project is "type": "module", and @kubernetes/client-node 1.x is ESM-only).
// ts-jest only transpiles; `npm run typecheck` type-checks the whole tree once.
// jest.config.js is `npm test`; the labs and the e2e suite have configurations of their own
// (files named *.lab.ts / *.e2e.ts, which `npm test` never picks up).
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

/** @type {import('jest').Config} */
export const base = {
  rootDir: dirname(fileURLToPath(import.meta.url)),
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }],
  },
  reporters: ['default', '<rootDir>/test/summary-reporter.js'],
};
