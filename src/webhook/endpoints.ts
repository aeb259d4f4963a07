import type { AdmissionOutcome } from '../admission/outcome.js';
import type { AdmissionRequest } from '../admission/types.js';
import type { MutationContext } from '../mutate/step.js';
import { handleMutation } from './mutate.js';
import { handleValidation } from './validate.js';

/** One webhook the server exposes: a path, a name for logs and metrics, and its handler. */
export interface WebhookEndpoint {
  readonly path: string;
  readonly name: string;
  handle(request: AdmissionRequest): AdmissionOutcome;
}

export type WebhookContext = MutationContext;

/** Every webhook, by path. The HTTP server and the CLI's `review` command both use this table. */
export function createEndpoints(ctx: WebhookContext): readonly WebhookEndpoint[] {
  return [
    { path: '/mutate', name: 'mutate', handle: (request) => handleMutation(request, ctx) },
    { path: '/validate/enforce', name: 'validate-enforce', handle: (request) => handleValidation(request, ctx, 'enforce') },
    { path: '/validate/warn', name: 'validate-warn', handle: (request) => handleValidation(request, ctx, 'warn') },
  ];
}
