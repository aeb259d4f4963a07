import { base } from '../../jest.base.js';

/**
 * `npm run e2e:node`: scenarios on a real node (containerd, runc, CNI bridge, a kubelet and
 * kube-scheduler of the pinned release) beside the e2e control plane; see docs/e2e-node.md.
 * One node and one webhook process are shared by every file, so the files run one at a time.
 */
export default {
  ...base,
  roots: ['<rootDir>/test/e2e-node'],
  testMatch: ['**/*.e2e.ts'],
  maxWorkers: 1,
  testTimeout: 240000,
  globalSetup: '<rootDir>/test/e2e-node/setup.js',
  globalTeardown: '<rootDir>/test/e2e-node/teardown.js',
};
