import { parseImageRef } from '../profiles/image.js';
import { compareVersions, imageVersion } from '../profiles/version.js';

/**
 * The one "same version" rule, for two images of the same datastore (the caller has matched
 * their profiles). The version is what the image runs; where it comes from is not: the same
 * version under another registry or repository path (a mirror, `bitnami/`), with a build flavour
 * (`4.1.3-jammy`) or pinned by a digest (`4.1.3@sha256:...`) is the same version. Without a
 * readable version on both sides, only the same digest or the very same reference counts.
 */
export function sameVersion(image: string, reference: string): boolean {
  if (image.trim() === reference.trim()) return true;
  const a = parseImageRef(image);
  const b = parseImageRef(reference);
  const va = imageVersion(a);
  const vb = imageVersion(b);
  if (va !== undefined && vb !== undefined) return compareVersions(va, vb) === 0;
  return a.digest !== undefined && a.digest === b.digest;
}
