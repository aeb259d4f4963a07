import { base } from '../../jest.base.js';

/**
 * `npm run e2e`: the end-to-end suite on a real control plane (etcd, kube-apiserver,
 * kube-controller-manager built from k8s.io/kubernetes, see test/e2e/README.md). One control
 * plane and one webhook process are shared by every file, so the files run one at a time.
 */
export default {
  ...base,
  roots: ['<rootDir>/test/e2e'],
  testMatch: ['**/*.e2e.ts'],
  maxWorkers: 1,
  testTimeout: 120000,
  globalSetup: '<rootDir>/test/e2e/setup.js',
  globalTeardown: '<rootDir>/test/e2e/teardown.js',
  testSequencer: '<rootDir>/test/e2e/sequencer.js',
};
