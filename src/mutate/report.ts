/** What one mutation step did: names of what it injected and warnings for the user. */
export interface MutationReport {
  readonly injected: string[];
  readonly warnings: string[];
}

export function emptyReport(): MutationReport {
  return { injected: [], warnings: [] };
}

/** Admission warnings are shown by kubectl as `Warning: <text>`; say who is speaking. */
export function warning(text: string): string {
  return `gossip-safe: ${text}`;
}
