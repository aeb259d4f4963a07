import { readFileSync } from 'node:fs';
import { decodeReview, encodeResponse, ReviewDecodeError } from '../admission/review.js';
import { createEndpoints } from '../webhook/endpoints.js';
import { InputError } from '../errors.js';
import { EXIT, exitCodesHelp } from './exit-codes.js';
import { CONFIG_HELP, CONFIG_OPTION, loadCliProfiles, parseCommandArgs, parseMode } from './options.js';
import { UsageError } from '../errors.js';

export const REVIEW_HELP = `Usage: gossip-safe review [--validate [--mode enforce|warn]] [FILE|-]

Prints the AdmissionReview response the webhook would return for a recorded AdmissionReview
request (JSON), computed offline by the very handlers the HTTPS server runs. Useful to debug a
denial or an injection seen in a cluster: record the request (for example from the apiserver's
audit log at RequestResponse level) and replay it here.

Options:
  --validate             answer as the validating webhook (default: the mutating one, /mutate)
  --mode enforce|warn    which validating webhook: /validate/enforce or /validate/warn
                         (default enforce; needs --validate)
${CONFIG_HELP}

Examples:
  gossip-safe review request.json
  kubectl get --raw ... | gossip-safe review -
  gossip-safe review --validate --mode warn statefulset-update.json

The response is printed as JSON on stdout. Exit code 0 when the response allows the request,
2 when it denies it.

${exitCodesHelp(['clean', 'denied', 'input', 'usage', 'software'], '0   the response allows the request')}`;

/** `gossip-safe review`: one recorded request in, the webhook's response out. */
export function runReview(argv: readonly string[], readStdin: () => Buffer = () => readFileSync(0)): Promise<number> {
  // The commands' shared shape is async; review itself does nothing asynchronous. A throw
  // becomes a rejection, as in an async function.
  return Promise.resolve().then(() => reviewOnce(argv, readStdin));
}

function reviewOnce(argv: readonly string[], readStdin: () => Buffer): number {
  const { values, positionals } = parseCommandArgs('review', argv, {
    validate: { type: 'boolean' },
    mode: { type: 'string' },
    ...CONFIG_OPTION,
  });
  if (positionals.length > 1) throw new UsageError(`review: one request at a time, got ${positionals.length} files`);
  if (values.mode !== undefined && values.validate !== true) throw new UsageError('review: --mode needs --validate');
  const mode = parseMode('review', values.mode);
  const file = positionals[0] ?? '-';
  const name = file === '-' ? '<stdin>' : file;

  let data: Buffer;
  try {
    data = file === '-' ? readStdin() : readFileSync(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EISDIR') throw new InputError(`${name}: is a directory; give one AdmissionReview JSON file`);
    throw new InputError(`${name}: cannot read: ${code === 'ENOENT' ? 'no such file or directory' : (code ?? String(err))}`);
  }
  const text = textOf(data);
  if (text === undefined) throw new InputError(`${name}: binary data, not JSON; give an AdmissionReview JSON file`);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (err) {
    throw new InputError(`${name}: not valid JSON: ${(err as Error).message}`);
  }
  let review;
  try {
    review = decodeReview(body);
  } catch (err) {
    if (err instanceof ReviewDecodeError) throw new InputError(`${name}: not an AdmissionReview request: ${err.message}`);
    throw err;
  }

  const path = values.validate === true ? `/validate/${mode}` : '/mutate';
  const endpoints = createEndpoints({ profiles: loadCliProfiles(values.config) });
  const endpoint = endpoints.find((e) => e.path === path);
  if (endpoint === undefined) {
    throw new UsageError(`review: this build has no ${path} webhook (it has ${endpoints.map((e) => e.path).join(', ')})`);
  }
  const response = encodeResponse(review, endpoint.handle(review.request));
  process.stdout.write(`${JSON.stringify(response, null, 2)}\n`);
  return response.response.allowed ? EXIT.clean : EXIT.denied;
}

/**
 * The input as text, or undefined when it is binary: not UTF-8, or holding control characters
 * JSON never contains outside strings (where they must be escaped). Error messages then never
 * echo raw bytes to the terminal.
 */
function textOf(data: Buffer): string | undefined {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(data);
  } catch {
    return undefined;
  }
  return hasControlCharacter(text) ? undefined : text;
}

/** A C0 control character other than tab, line feed and carriage return, or DEL: not JSON text. */
function hasControlCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) || c === 0x7f) return true;
  }
  return false;
}
