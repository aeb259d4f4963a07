import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AdmissionRequest } from '../../src/admission/types.js';

export const TEST_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');
export const PROJECT_DIR = join(TEST_DIR, '..');
export const REVIEWS_DIR = join(TEST_DIR, 'fixtures', 'admission-reviews');

/** A recorded AdmissionReview, parsed. Each call returns a fresh copy, safe to modify. */
export interface RecordedReview {
  apiVersion: string;
  kind: 'AdmissionReview';
  request: AdmissionRequest & { object?: Record<string, unknown>; oldObject?: Record<string, unknown> };
}

export function reviewFileNames(): string[] {
  return readdirSync(REVIEWS_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort();
}

export function loadReviewText(file: string): string {
  return readFileSync(join(REVIEWS_DIR, file), 'utf8');
}

export function loadReview(file: string): RecordedReview {
  return JSON.parse(loadReviewText(file)) as RecordedReview;
}
