import { profilesFromConfig, ProfileConfigError } from '../src/profiles/config.js';

function byName(doc: unknown, name: string) {
  return profilesFromConfig(doc, 'profiles.yaml').find((p) => p.name === name);
}

describe('premigrateScript in the profiles config', () => {
  test('built-ins keep their script unless the config says otherwise', () => {
    expect(byName({ profiles: { cassandra: { minGraceSeconds: 300 } } }, 'cassandra')?.premigrateScript).toBe('cassandra');
    expect(byName(null, 'scylla')?.premigrateScript).toBe('scylla');
  });

  test('a config can give a profile a script, or take it away with none', () => {
    expect(byName({ profiles: { consul: { premigrateScript: 'cassandra' } } }, 'consul')?.premigrateScript).toBe('cassandra');
    expect(byName({ profiles: { cassandra: { premigrateScript: 'none' } } }, 'cassandra')).not.toHaveProperty('premigrateScript');
  });

  test('an unknown script is a config error naming the field and the choices', () => {
    expect(() => profilesFromConfig({ profiles: { cassandra: { premigrateScript: 'mongo' } } }, 'profiles.yaml')).toThrow(ProfileConfigError);
    expect(() => profilesFromConfig({ profiles: { cassandra: { premigrateScript: 'mongo' } } }, 'profiles.yaml')).toThrow(
      'profiles.yaml: profiles.cassandra.premigrateScript: must be one of cassandra, scylla, none, got "mongo"',
    );
  });
});
