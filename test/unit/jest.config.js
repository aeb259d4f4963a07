import { base } from '../../jest.base.js';

/**
 * `npm run test:unit`: the pure, in-process tests (no server, no subprocess, no build, no
 * external tool), which run in seconds. `npm test` runs these and every other *.test.ts.
 * A test belongs here when it calls functions only: list it below.
 */
export const UNIT_TESTS = [
  'test/cli/help.test.ts',
  'test/cli/injection.test.ts',
  'test/cli/render.test.ts',
  'test/gossip-lab/kubelet-env.test.ts',
  'test/http-review-pipeline.test.ts',
  'test/layering.test.ts',
  'test/mutate-pod.test.ts',
  'test/package-version.test.ts',
  'test/premigrate-profile-config.test.ts',
  'test/profiles.test.ts',
  'test/property/admission.test.ts',
  'test/rules/*.test.ts',
  'test/validate-registry.test.ts',
  'test/validate-rules.test.ts',
  'test/version-policy.test.ts',
  'test/version.test.ts',
  'test/workload-mutation.test.ts',
];

export default {
  ...base,
  roots: ['<rootDir>/test'],
  testMatch: UNIT_TESTS.map((t) => `<rootDir>/${t}`),
  testTimeout: 30000,
};
