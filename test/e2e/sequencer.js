import TestSequencerModule from '@jest/test-sequencer';

const TestSequencer = TestSequencerModule.default ?? TestSequencerModule;

/**
 * The e2e files share one cluster and one webhook process, so they run one at a time in a fixed
 * order: the README's walkthrough first, then the variants, then the two that take the webhook
 * away (killing its process; README step 7, uninstall), which must come last, and the Helm
 * install, which needs the kustomize install's cluster-wide objects gone.
 */
const ORDER = [
  'namespace-selection',
  'statefulset',
  'rollback',
  'policy',
  'reinvocation',
  'native-sidecars',
  'match-conditions',
  'webhook-down',
  'uninstall',
  'helm-install',
];

const rank = (path) => {
  const i = ORDER.findIndex((name) => path.endsWith(`/${name}.e2e.ts`));
  return i === -1 ? ORDER.indexOf('webhook-down') - 0.5 : i; // a new file runs before the webhook is taken away
};

export default class E2eSequencer extends TestSequencer {
  sort(tests) {
    return [...tests].sort((a, b) => rank(a.path) - rank(b.path) || a.path.localeCompare(b.path));
  }
}
