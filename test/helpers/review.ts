import type { AdmissionReviewResponse } from '../../src/admission/types.js';
import type { PatchOperation } from '../../src/patch/diff.js';

/** The JSON patch carried by a response, decoded (empty when there is none). */
export function decodePatch(review: AdmissionReviewResponse): PatchOperation[] {
  const patch = review.response.patch;
  return patch === undefined ? [] : (JSON.parse(Buffer.from(patch, 'base64').toString('utf8')) as PatchOperation[]);
}
