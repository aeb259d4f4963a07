export { warning } from '../datastore/warning.js';

/** What one mutation step did: names of what it injected and warnings for the user. */
export interface MutationReport {
  readonly injected: string[];
  readonly warnings: string[];
}

export function emptyReport(): MutationReport {
  return { injected: [], warnings: [] };
}
