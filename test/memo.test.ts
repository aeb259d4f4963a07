import { memoizeString } from '../src/profiles/memo.js';
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
});
