/** Admission warnings are shown by kubectl as `Warning: <text>`; say who is speaking. */
export function warning(text: string): string {
  return `gossip-safe: ${text}`;
}
