import { commandWords, jmxAuthEvidence } from './leave.js';
import type { Container } from '../k8s/types.js';
import type { NodetoolAccess } from '../premigrate/env.js';
import type { LeaveRule } from '../profiles/types.js';


export type NodetoolAccessDecision = { readonly access: NodetoolAccess } | { readonly cannot: string };

const JVM_OPTION = /^-D[A-Za-z0-9_.]+=[A-Za-z0-9_.:/-]*$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * What the script needs for nodetool on the old image, or why every nodetool call it makes would
 * be refused (JMX authentication evidently on, and no credentials in the container's env), so
 * that no container that can only time out is injected. `oldRule` is the profile's leave rule
 * for the old image; `main` is the main container, whose env the init container copies.
 */
export function nodetoolAccess(main: Container, oldRule: LeaveRule | undefined): NodetoolAccessDecision {
  const usesNodetool = oldRule?.command[0] === 'nodetool';
  const jvmOptions = usesNodetool ? oldRule.command.filter((w) => JVM_OPTION.test(w)) : [];
  const jmx = usesNodetool ? oldRule.jmxCredentials : undefined;
  if (jmx === undefined || ![jmx.usernameEnv, jmx.passwordFileEnv, jmx.passwordEnv].every((n) => ENV_NAME.test(n))) return { access: { jvmOptions } };
  const credentialEnv = [jmx.usernameEnv, jmx.passwordFileEnv, jmx.passwordEnv] as const;
  const envNames = new Set((main.env ?? []).map((e) => e.name));
  const hasCredentials = envNames.has(jmx.usernameEnv) && (envNames.has(jmx.passwordFileEnv) || envNames.has(jmx.passwordEnv));
  // envFrom may hold them: only the run can tell, and the script then fails at once on a refusal.
  const maybeCredentials = hasCredentials || (main.envFrom ?? []).length > 0;
  const evidence = jmxAuthEvidence(main, commandWords(main));
  if (evidence !== undefined && !maybeCredentials) {
    return {
      cannot:
        `JMX authentication is on (${evidence}) and container "${main.name}" sets no ${jmx.usernameEnv} with ${jmx.passwordFileEnv} or ${jmx.passwordEnv}, ` +
        `so every nodetool call of the pre-migration would be refused and it could only time out; ` +
        `set ${jmx.usernameEnv} and ${jmx.passwordFileEnv} (a mounted JMX password file) in its env`,
    };
  }
  return { access: { jvmOptions, credentialEnv } };
}
