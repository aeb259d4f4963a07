import { createProgress } from '../../src/cli/progress.js';

/** A fake stderr: what was written, and whether it is a terminal. */
function stream(isTTY: boolean) {
  const writes: string[] = [];
  return { isTTY, writes, write: (s: string) => writes.push(s) };
}

test('a long run on a terminal shows a progress line, updated in place and cleared at the end', () => {
  let now = 0;
  const err = stream(true);
  const progress = createProgress('gossip-safe check', 'objects', 5000, { stream: err, now: () => now });
  progress.tick(10);
  expect(err.writes).toEqual([]); // a short run never shows one
  now = 1500;
  progress.tick(1200);
  now = 1600;
  progress.tick(1300); // throttled: too soon after the last line
  now = 2000;
  progress.tick(2500);
  progress.done();
  expect(err.writes).toEqual([
    '\r\x1b[2Kgossip-safe check: 1200/5000 objects',
    '\r\x1b[2Kgossip-safe check: 2500/5000 objects',
    '\r\x1b[2K',
  ]);
});

test('no progress line when stderr is not a terminal (CI logs, pipes)', () => {
  let now = 0;
  const err = stream(false);
  const progress = createProgress('gossip-safe check', 'objects', 5000, { stream: err, now: () => now });
  for (let i = 0; i < 5000; i++) {
    now += 10;
    progress.tick(i);
  }
  progress.done();
  expect(err.writes).toEqual([]);
});

test('a run that ends before the delay writes nothing, not even the clearing sequence', () => {
  const err = stream(true);
  const progress = createProgress('gossip-safe inject', 'files', 3, { stream: err, now: () => 0 });
  progress.tick(3);
  progress.done();
  expect(err.writes).toEqual([]);
});
