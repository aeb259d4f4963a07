import { MEMO_MAX_BYTES, MEMO_MAX_KEY_LENGTH, memoizeString, memoRetainedBytes } from '../src/profiles/memo.js';
import { parseImageRef } from '../src/profiles/image.js';
import { parseTagVersion } from '../src/profiles/version.js';

describe('memoizeString', () => {
  it('computes each distinct input once, undefined results included', () => {
    const calls: string[] = [];
    const f = memoizeString((s: string) => {
      calls.push(s);
      return s.startsWith('x') ? undefined : { s };
    });
    expect(f('a')).toBe(f('a'));
    expect(f('x1')).toBeUndefined();
    expect(f('x1')).toBeUndefined();
    expect(calls).toEqual(['a', 'x1']);
  });

  it('freezes shared results, so no caller can change what another sees', () => {
    const ref = parseImageRef('cassandra:4.1.3');
    expect(Object.isFrozen(ref)).toBe(true);
    expect(() => {
      (ref as { tag?: string }).tag = '5.0';
    }).toThrow(TypeError);
    expect(parseImageRef('cassandra:4.1.3').tag).toBe('4.1.3');
    const v = parseTagVersion('4.1.3')!;
    expect(Object.isFrozen(v.parts)).toBe(true);
  });

  it('stays bounded: past the limit it starts over', () => {
    let calls = 0;
    const f = memoizeString((s: string) => {
      calls++;
      return s.length;
    }, 3);
    for (const s of ['a', 'bb', 'ccc', 'dddd']) f(s);
    expect(calls).toBe(4);
    f('a');
    expect(calls).toBe(5);
    f('dddd');
    expect(calls).toBe(5);
  });

  // Issue 23, finding 1: the cache was bounded by entries only, so 1,024 unique 2.5 MB image
  // strings stayed in memory (per memo) and a 256 MiB replica died.
  it('does not keep long inputs: an image string over MEMO_MAX_KEY_LENGTH is computed, never stored', () => {
    const seen: string[] = [];
    const f = memoizeString((s: string) => {
      seen.push(s);
      return { length: s.length };
    });
    const long = `cassandra:${'4'.repeat(MEMO_MAX_KEY_LENGTH)}`;
    f(long);
    f(long);
    expect(seen).toHaveLength(2);
    expect(memoRetainedBytes(f)).toBe(0);
    const short = 'cassandra:4.1.3';
    f(short);
    f(short);
    expect(seen).toHaveLength(3);
  });

  it('stays bounded by bytes as well as entries', () => {
    const f = memoizeString((s: string) => s.length, 1_000_000);
    for (let i = 0; i < 20_000; i++) f(`${i}`.padStart(MEMO_MAX_KEY_LENGTH, 'x'));
    expect(memoRetainedBytes(f)).toBeLessThanOrEqual(MEMO_MAX_BYTES);
    expect(memoRetainedBytes(f)).toBeGreaterThan(0);
  });
});
