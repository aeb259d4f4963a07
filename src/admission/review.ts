import type { AdmissionOutcome } from './outcome.js';
import {
  REVIEW_API_VERSIONS,
  type AdmissionResponse,
  type AdmissionReviewResponse,
  type DecodedReview,
  type ReviewApiVersion,
} from './types.js';

/** A body that is not a usable AdmissionReview. The message is one line, safe to return. */
export class ReviewDecodeError extends Error {
  override readonly name = 'ReviewDecodeError';
}

const OPERATIONS = new Set(['CREATE', 'UPDATE', 'DELETE', 'CONNECT']);

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Checks the envelope of a parsed body and returns it typed. Knows nothing of pods. */
export function decodeReview(body: unknown): DecodedReview {
  if (!isRecord(body)) throw new ReviewDecodeError('body is not a JSON object');
  if (body['kind'] !== 'AdmissionReview') {
    throw new ReviewDecodeError(`kind is ${JSON.stringify(body['kind'])}, expected "AdmissionReview"`);
  }
  const apiVersion = body['apiVersion'];
  if (!(REVIEW_API_VERSIONS as readonly unknown[]).includes(apiVersion)) {
    throw new ReviewDecodeError(`apiVersion ${JSON.stringify(apiVersion)} is not one of ${REVIEW_API_VERSIONS.join(', ')}`);
  }
  const request = body['request'];
  if (!isRecord(request)) throw new ReviewDecodeError('AdmissionReview has no request');
  if (typeof request['uid'] !== 'string' || request['uid'] === '') {
    throw new ReviewDecodeError('request.uid is missing');
  }
  const kind = request['kind'];
  if (!isRecord(kind) || typeof kind['kind'] !== 'string') throw new ReviewDecodeError('request.kind is missing');
  if (typeof request['operation'] !== 'string' || !OPERATIONS.has(request['operation'])) {
    throw new ReviewDecodeError(`request.operation ${JSON.stringify(request['operation'])} is not CREATE, UPDATE, DELETE or CONNECT`);
  }
  for (const key of ['object', 'oldObject'] as const) {
    const v = request[key];
    if (v !== undefined && v !== null && !isRecord(v)) throw new ReviewDecodeError(`request.${key} is not an object`);
  }
  return { apiVersion: apiVersion as ReviewApiVersion, request: request as unknown as DecodedReview['request'] };
}

/** Wraps an outcome in an AdmissionReview of the version the apiserver asked in, echoing uid. */
export function encodeResponse(review: DecodedReview, outcome: AdmissionOutcome): AdmissionReviewResponse {
  const response: { -readonly [K in keyof AdmissionResponse]: AdmissionResponse[K] } = {
    uid: review.request.uid,
    allowed: outcome.allowed,
  };
  if (outcome.patch !== undefined && outcome.patch.length > 0) {
    response.patchType = 'JSONPatch';
    response.patch = Buffer.from(JSON.stringify(outcome.patch)).toString('base64');
  }
  if (outcome.status !== undefined) response.status = outcome.status;
  if (outcome.warnings !== undefined && outcome.warnings.length > 0) response.warnings = outcome.warnings;
  return { apiVersion: review.apiVersion, kind: 'AdmissionReview', response };
}
