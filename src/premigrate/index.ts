import type { PremigrateScriptKind } from '../profiles/types.js';
import { cassandraScript } from './cassandra.js';
import type { ScriptOptions } from './script.js';
import { scyllaScript } from './scylla.js';

export type { ScriptOptions } from './script.js';

const SCRIPTS: Readonly<Record<PremigrateScriptKind, (options: ScriptOptions) => string>> = {
  cassandra: cassandraScript,
  scylla: scyllaScript,
};

/** The pre-migration script text for a profile's `premigrateScript`. */
export function premigrateScript(kind: PremigrateScriptKind, options: ScriptOptions): string {
  return SCRIPTS[kind](options);
}
