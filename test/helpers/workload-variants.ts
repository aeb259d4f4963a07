import type { Container } from '../../src/k8s/types.js';
import type { RecordedReview } from './fixtures.js';

/**
 * Variants of recorded workload reviews, built in code (the recordings stay untouched).
 * Every function returns a modified deep copy.
 */
type Obj = Record<string, unknown>;

function templateContainers(obj: Obj | undefined): Container[] {
  const spec = obj?.['spec'] as { template?: { spec?: { containers?: Container[] } } } | undefined;
  const containers = spec?.template?.spec?.containers;
  if (containers === undefined) throw new Error('object has no pod template');
  return containers;
}

function clone(review: RecordedReview): RecordedReview {
  return structuredClone(review);
}

/** The image of the named container in the old and new templates. */
export function withImages(review: RecordedReview, container: string, oldImage: string, newImage: string): RecordedReview {
  const r = clone(review);
  const set = (obj: Obj | undefined, image: string): void => {
    const c = templateContainers(obj).find((x) => x.name === container);
    if (c === undefined) throw new Error(`no container ${container}`);
    c.image = image;
  };
  set(r.request.oldObject, oldImage);
  set(r.request.object, newImage);
  return r;
}

export function imagesOf(review: RecordedReview, container: string): [string, string] {
  const get = (obj: Obj | undefined): string => templateContainers(obj).find((x) => x.name === container)?.image ?? '';
  return [get(review.request.oldObject), get(review.request.object)];
}

/** The same change the other way round (4.1 -> 3.11 from 3.11 -> 4.1). */
export function reversed(review: RecordedReview, container: string): RecordedReview {
  const [oldImage, newImage] = imagesOf(review, container);
  return withImages(review, container, newImage, oldImage);
}

/** An annotation on the new object's metadata (not its template). */
export function withObjectAnnotation(review: RecordedReview, key: string, value: string): RecordedReview {
  const r = clone(review);
  const meta = (r.request.object!['metadata'] ??= {}) as { annotations?: Record<string, string> };
  meta.annotations = { ...meta.annotations, [key]: value };
  return r;
}

/** The review the apiserver sends the validating webhook after the mutating one patched it. */
export function withObject(review: RecordedReview, object: unknown): RecordedReview {
  const r = clone(review);
  r.request.object = structuredClone(object) as Obj;
  return r;
}

/** A review of a later update: the given object is now stored, and `next` is the update. */
export function followUp(review: RecordedReview, stored: unknown, next: unknown): RecordedReview {
  const r = clone(review);
  r.request.oldObject = structuredClone(stored) as Obj;
  r.request.object = structuredClone(next) as Obj;
  r.request = { ...r.request, uid: `${r.request.uid}-next` };
  return r;
}
