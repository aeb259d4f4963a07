import { BUILTIN_PROFILES } from '../src/profiles/builtin.js';
import { profilesFromConfig, ProfileConfigError } from '../src/profiles/config.js';
import type { Profile } from '../src/profiles/types.js';
import { migrationLevel, reachesLevel, skippedSteps } from '../src/profiles/version-policy.js';
import { imageVersion } from '../src/profiles/version.js';

const v = (s: string) => imageVersion(`x:${s}`)!;
const cassandra = BUILTIN_PROFILES.find((p) => p.name === 'cassandra')!;

describe('skippedSteps (cassandra path 3 -> 4 -> 5)', () => {
  test.each([
    ['3.11.16', '5.0.2', ['4']],
    ['3.0.29', '5.0', ['4']],
    ['3.11.16', '4.1.3', []],
    ['4.0.11', '5.0.2', []],
    ['5.0.2', '3.11.16', []],
    ['2.2.19', '5.0.2', []],
  ])('%s -> %s skips %j', (from, to, skipped) => {
    expect(skippedSteps(cassandra, v(from), v(to))).toEqual(skipped);
  });

  test('longer prefixes win, and several steps can be skipped', () => {
    const p: Profile = { ...cassandra, upgradePath: ['3.0', '3.11', '4', '5'] };
    expect(skippedSteps(p, v('3.0.29'), v('5.0.1'))).toEqual(['3.11', '4']);
    expect(skippedSteps(p, v('3.11.16'), v('4.1.3'))).toEqual([]);
  });
});

test.each([
  ['major', 'major', true],
  ['minor', 'major', false],
  ['minor', 'minor', true],
  ['major', 'patch', true],
  ['none', 'patch', false],
] as const)('a %s difference reaches %s: %s', (difference, level, expected) => {
  expect(reachesLevel(difference, level)).toBe(expected);
});

describe('config: migrateOn and upgradePath', () => {
  const read = (fields: Record<string, unknown>, name = 'cassandra') => profilesFromConfig({ profiles: { [name]: fields } }, 'profiles.yaml');
  const byName = (list: Profile[], name: string) => list.find((p) => p.name === name)!;

  test('overrides keep the built-in value for fields not given', () => {
    const p = byName(read({ extraImages: ['mycorp/cassandra'] }), 'cassandra');
    expect([migrationLevel(p), p.upgradePath]).toEqual(['major', ['3', '4', '5']]);
  });

  test('overrides replace them when given', () => {
    const p = byName(read({ migrateOn: 'minor', upgradePath: ['3.0', '3.11', '4.0', '4.1', '5.0'] }), 'cassandra');
    expect([p.migrateOn, p.upgradePath]).toEqual(['minor', ['3.0', '3.11', '4.0', '4.1', '5.0']]);
  });

  test('a new profile defaults to major and no path', () => {
    const p = byName(
      read({ images: ['mycorp/db'], nodeNameMode: 'never', leave: [], minGraceSeconds: 10, premigration: 'required', dataDirs: [] }, 'mydb'),
      'mydb',
    );
    expect([migrationLevel(p), p.upgradePath]).toEqual(['major', undefined]);
  });

  test.each<[Record<string, unknown>, string]>([
    [{ migrateOn: 'sometimes' }, 'profiles.yaml: profiles.cassandra.migrateOn: must be one of major, minor, patch, got "sometimes"'],
    [{ upgradePath: ['4'] }, 'profiles.yaml: profiles.cassandra.upgradePath: must be a list of at least two versions'],
    [{ upgradePath: '3,4,5' }, 'profiles.yaml: profiles.cassandra.upgradePath: must be a list of at least two versions'],
    [{ upgradePath: ['3', 4] }, 'profiles.yaml: profiles.cassandra.upgradePath[1]: must be a quoted version such as "4" or "3.11", got 4'],
    [{ upgradePath: ['3', 'four'] }, 'profiles.yaml: profiles.cassandra.upgradePath[1]: must be a quoted version'],
    [{ upgradePath: ['4', '3.11'] }, 'profiles.yaml: profiles.cassandra.upgradePath[1]: must be higher than 4'],
  ])('%j is rejected naming the field', (fields, message) => {
    expect(() => read(fields)).toThrow(ProfileConfigError);
    expect(() => read(fields)).toThrow(message);
  });
});
