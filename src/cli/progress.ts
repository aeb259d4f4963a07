/** Where progress goes: stderr, or a fake in tests. */
export interface ProgressStream {
  readonly isTTY?: boolean;
  write(text: string): unknown;
}

export interface Progress {
  /** `done` of the total are finished. Cheap: call it for every item. */
  tick(done: number): void;
  /** Clears the line, if one was shown. */
  done(): void;
}

export interface ProgressOptions {
  readonly stream?: ProgressStream;
  readonly now?: () => number;
  /** No line before this: a short run shows nothing. */
  readonly delayMs?: number;
  /** At most one update per this interval. */
  readonly everyMs?: number;
}

const CLEAR_LINE = '\r\x1b[2K';

/**
 * A progress line on stderr for a long run (`check` or `inject` over a large input), rewritten in
 * place, only when stderr is a terminal: CI logs and pipes never see it. Items are processed
 * synchronously, so the clock is read on each tick rather than on a timer.
 */
export function createProgress(label: string, unit: string, total: number, options: ProgressOptions = {}): Progress {
  const stream = options.stream ?? process.stderr;
  const now = options.now ?? Date.now;
  const delayMs = options.delayMs ?? 1_000;
  const everyMs = options.everyMs ?? 250;
  const enabled = stream.isTTY === true;
  const started = now();
  let last: number | undefined;
  return {
    tick(done) {
      if (!enabled) return;
      const t = now();
      if (t - started < delayMs) return;
      if (last !== undefined && t - last < everyMs) return;
      last = t;
      stream.write(`${CLEAR_LINE}${label}: ${done}/${total} ${unit}`);
    },
    done() {
      if (last !== undefined) stream.write(CLEAR_LINE);
      last = undefined;
    },
  };
}
