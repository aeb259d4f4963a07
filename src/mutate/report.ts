import type { MutationReport } from './result.js';

export { warning } from '../datastore/warning.js';
export type { MutationReport } from './result.js';

export function emptyReport(): MutationReport {
  return { injected: [], warnings: [] };
}
