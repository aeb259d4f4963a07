import { memoizeString } from './memo.js';
/**
 * Container image references: `[registry[:port]/]path[:tag][@digest]`.
 * Docker Hub's implicit `docker.io` registry and `library/` prefix are normalised away from the
 * path so `cassandra`, `library/cassandra` and `docker.io/library/cassandra` are one repository.
 */
export interface ImageRef {
  /** The registry host, when the reference names one (`localhost:5000`, `quay.io`). */
  readonly registry?: string;
  /** Repository path without registry or Docker Hub's `library/` (e.g. `bitnami/cassandra`). */
  readonly path: string;
  readonly tag?: string;
  readonly digest?: string;
}

const DOCKER_HUB = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io']);

/** Parses an image reference (memoized: every review asks about the same few images). */
export const parseImageRef: (reference: string) => ImageRef = memoizeString(parseImageRefUncached);

function parseImageRefUncached(reference: string): ImageRef {
  let rest = reference.trim();
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  let tag: string | undefined;
  const lastSlash = rest.lastIndexOf('/');
  const lastColon = rest.lastIndexOf(':');
  if (lastColon > lastSlash) {
    tag = rest.slice(lastColon + 1);
    rest = rest.slice(0, lastColon);
  }
  let registry: string | undefined;
  const firstSlash = rest.indexOf('/');
  if (firstSlash > 0) {
    const first = rest.slice(0, firstSlash);
    if (first.includes('.') || first.includes(':') || first === 'localhost') {
      registry = first;
      rest = rest.slice(firstSlash + 1);
    }
  }
  if ((registry === undefined || DOCKER_HUB.has(registry)) && rest.startsWith('library/')) {
    rest = rest.slice('library/'.length);
  }
  const ref: { registry?: string; path: string; tag?: string; digest?: string } = { path: rest.toLowerCase() };
  if (registry !== undefined && !DOCKER_HUB.has(registry)) ref.registry = registry;
  if (tag !== undefined && tag !== '') ref.tag = tag;
  if (digest !== undefined && digest !== '') ref.digest = digest;
  return ref;
}

/** A compiled image pattern (see Profile.images). */
export interface ImagePattern {
  readonly source: string;
  matches(image: ImageRef): boolean;
}

function segmentMatcher(segment: string): (s: string) => boolean {
  if (!segment.includes('*')) return (s) => s === segment;
  const escaped = segment.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'));
  const re = new RegExp(`^${escaped.join('[^/]*')}$`);
  return (s) => re.test(s);
}

export function compileImagePattern(pattern: string): ImagePattern {
  const parsed = parseImageRef(pattern);
  const segments = parsed.path.split('/').map(segmentMatcher);
  return {
    source: pattern,
    matches(image: ImageRef): boolean {
      const path = image.path.split('/');
      if (path.length < segments.length) return false;
      const offset = path.length - segments.length;
      return segments.every((match, i) => match(path[offset + i] ?? ''));
    },
  };
}
