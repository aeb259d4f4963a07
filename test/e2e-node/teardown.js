// See setup.js: runs the compiled global-teardown.ts.
import { compiled } from './setup.js';

export default async function teardown() {
  const { default: globalTeardown } = await compiled('global-teardown');
  await globalTeardown();
}
