import { sleep } from './serf.js';

/** One observation: whether the condition holds, and what was seen (for failure messages). */
export interface Observation {
  readonly ok: boolean;
  readonly detail: string;
}

/** One observation; a check that needs no I/O may answer at once. */
export type Check = () => Observation | Promise<Observation>;

async function observe(check: Check): Promise<Observation> {
  try {
    return await check();
  } catch (err) {
    return { ok: false, detail: `error: ${(err as Error).message}` };
  }
}

export interface WaitOptions {
  readonly timeoutMs: number;
  readonly intervalMs?: number;
}

/** Polls until the check holds once; throws with the last observation after the timeout. */
export async function waitUntil(description: string, check: Check, { timeoutMs, intervalMs = 200 }: WaitOptions): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let last: Observation;
  do {
    last = await observe(check);
    if (last.ok) return last.detail;
    await sleep(intervalMs);
  } while (Date.now() < deadline);
  throw new Error(`gossip lab: ${description}: not within ${timeoutMs} ms. Last seen:\n${last.detail}`);
}

export interface HoldOptions {
  /** The condition must start holding within this time. */
  readonly withinMs: number;
  /** ...and then hold in every sample for at least this long. */
  readonly holdMs: number;
  readonly minSamples?: number;
  readonly intervalMs?: number;
  /** Stop early when this says the condition can never hold again (e.g. the process is gone). */
  readonly giveUp?: () => boolean;
}

export interface HoldResult {
  readonly held: boolean;
  /** Every distinct observation, in order, for failure messages and reports. */
  readonly history: readonly string[];
}

/**
 * Whether the check, once true, stays true over repeated samples for `holdMs`. A single
 * positive sample proves little in gossip: a conflicting member can look alive for a moment
 * before it is voted out, so every "alive" claim in the lab goes through here.
 */
export async function holdsFor(check: Check, options: HoldOptions): Promise<HoldResult> {
  const { withinMs, holdMs, minSamples = 5, intervalMs = 200, giveUp } = options;
  const beginBy = Date.now() + withinMs;
  const history: string[] = [];
  let since: number | undefined;
  let samples = 0;
  for (;;) {
    const o = await observe(check);
    const line = `${o.ok ? 'ok' : 'not ok'}: ${o.detail}`;
    if (history[history.length - 1] !== line) history.push(line);
    if (o.ok) {
      since ??= Date.now();
      samples += 1;
      if (Date.now() - since >= holdMs && samples >= minSamples) return { held: true, history };
    } else {
      since = undefined;
      samples = 0;
      if (Date.now() >= beginBy || giveUp?.() === true) return { held: false, history };
    }
    await sleep(intervalMs);
  }
}
