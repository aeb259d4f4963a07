import type { Container } from '../k8s/types.js';
import { compileImagePattern, parseImageRef } from '../profiles/image.js';
import { leaveRuleFor } from '../profiles/profile-set.js';
import type { LeaveRule, Profile, ProfileSet } from '../profiles/types.js';

/**
 * The words of the container's command line: command and args, each also split on whitespace
 * and quotes, so a flag inside a `sh -c` script (`exec consul agent -server ...`) counts too.
 */
export function commandWords(container: Container): string[] {
  return [...(container.command ?? []), ...(container.args ?? [])].flatMap((a) => a.split(/[\s"';]+/).filter((w) => w !== ''));
}

/** `-flag=value` or `-flag value` (also with `--`) on the command line, the last one winning. */
function flagValue(words: readonly string[], flag: string): string | undefined {
  const names = new Set([flag, `-${flag}`]);
  let value: string | undefined;
  words.forEach((w, i) => {
    const eq = w.indexOf('=');
    if (eq > 0 && names.has(w.slice(0, eq))) value = w.slice(eq + 1);
    else if (names.has(w) && i + 1 < words.length) value = words[i + 1];
  });
  return value;
}

function hasFlag(words: readonly string[], flag: string): boolean {
  const names = new Set([flag, `-${flag}`]);
  return words.some((w) => {
    if (names.has(w)) return true;
    const eq = w.indexOf('=');
    return eq > 0 && names.has(w.slice(0, eq)) && w.slice(eq + 1) !== 'false';
  });
}

/** Single-quoted for `sh -c`, so a word of the rule's command is never split or expanded. */
function shellWord(word: string): string {
  return /^[A-Za-z0-9_./=:@%+-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

const JMX_AUTHENTICATE = /com\.sun\.management\.jmxremote\.authenticate=true/;

/**
 * Why JMX authentication is evidently on for this container, or undefined. cassandra-env.sh turns
 * it on with `LOCAL_JMX=no` (its default is yes: JMX on localhost without authentication), and
 * the JVM with `-Dcom.sun.management.jmxremote.authenticate=true` (JVM_OPTS, JVM_EXTRA_OPTS,
 * JAVA_TOOL_OPTIONS, or the command line).
 */
export function jmxAuthEvidence(container: Container, words: readonly string[]): string | undefined {
  for (const e of container.env ?? []) {
    if (e.name === 'LOCAL_JMX' && e.value?.trim().toLowerCase() === 'no') return 'LOCAL_JMX=no';
    if (e.value != null && JMX_AUTHENTICATE.test(e.value)) return `${e.name} has com.sun.management.jmxremote.authenticate=true`;
  }
  if (words.some((w) => JMX_AUTHENTICATE.test(w))) return 'its command line has com.sun.management.jmxremote.authenticate=true';
  return undefined;
}

/**
 * Why this container runs a server agent (profile `servers`), or undefined: a server flag on
 * its command line, server mode in an env config, an image that is a server by default (unless
 * its client env says otherwise), or a server label on the pod. Pure.
 */
export function serverEvidence(profile: Profile, container: Container, labels?: Readonly<Record<string, string>> | null): string | undefined {
  const s = profile.servers;
  if (s === undefined) return undefined;
  const words = commandWords(container);
  const flag = s.flags.find((f) => hasFlag(words, f));
  if (flag !== undefined) return `the container runs with ${flag}`;
  const env = container.env ?? [];
  for (const rule of s.env) {
    const e = env.find((v) => v.name === rule.name);
    if (typeof e?.value === 'string' && new RegExp(rule.pattern).test(e.value)) return `its ${rule.name} sets server mode`;
  }
  const ref = parseImageRef(container.image ?? '');
  const image = s.images.find((p) => compileImagePattern(p).matches(ref));
  if (image !== undefined) {
    const client = s.clientEnv;
    const set = client === undefined ? undefined : env.find((v) => v.name === client.name);
    if (client === undefined || set?.value !== client.value) {
      return `${image} runs a server unless ${client === undefined ? 'configured otherwise' : `${client.name}=${client.value}`}`;
    }
  }
  const label = s.labels.find((l) => labels?.[l.key] === l.value);
  if (label !== undefined) return `the pod is labelled ${label.key}=${label.value}`;
  return undefined;
}

export type LeaveDecision = { readonly command: readonly string[] } | { readonly skip: string };

/**
 * The preStop command for this container, or why a hook that cannot work (or would do harm) is
 * not injected. Pure: reads the container, never changes it.
 */
export function leaveDecision(container: Container, rule: LeaveRule): LeaveDecision {
  const words = commandWords(container);
  const envNames = new Set((container.env ?? []).map((e) => e.name));
  const hasEnvFrom = (container.envFrom ?? []).length > 0;
  const base = rule.command.join(' ');

  const blocking = rule.notWithFlags?.flags.find((f) => hasFlag(words, f));
  if (blocking !== undefined) return { skip: `"${base}" was not added: the container runs with ${blocking}; ${rule.notWithFlags!.why}` };

  if (rule.requiresEnv !== undefined && !hasEnvFrom && !rule.requiresEnv.anyOf.some((n) => envNames.has(n))) {
    return { skip: `"${base}" was not added: the container sets none of ${rule.requiresEnv.anyOf.join(', ')}; ${rule.requiresEnv.why}` };
  }

  const extra: string[] = [];
  for (const { flag, env } of rule.forwardFlags ?? []) {
    if (envNames.has(env)) continue;
    const value = flagValue(words, flag);
    if (value === undefined) continue;
    if (value.includes('$')) {
      return { skip: `"${base}" was not added: the agent's ${flag} is "${value}", which an exec hook cannot expand; set ${env} in the container's env instead` };
    }
    extra.push(`${flag}=${value}`);
  }

  const jmx = rule.jmxCredentials;
  if (jmx !== undefined) {
    const passwordEnv = [jmx.passwordFileEnv, jmx.passwordEnv].find((n) => envNames.has(n));
    if (envNames.has(jmx.usernameEnv) && passwordEnv !== undefined) {
      // Exec hooks get no $(VAR) expansion from the kubelet: a shell expands the env at stop
      // time, quoted, so the secret never enters the pod spec.
      const flag = passwordEnv === jmx.passwordFileEnv ? '-pwf' : '-pw';
      const hook = [...rule.command, ...extra];
      const script = [
        'exec',
        ...hook.slice(0, -1).map(shellWord),
        '-u',
        `"$${jmx.usernameEnv}"`,
        flag,
        `"$${passwordEnv}"`,
        ...hook.slice(-1).map(shellWord),
      ].join(' ');
      return { command: ['sh', '-c', script] };
    }
    const evidence = jmxAuthEvidence(container, words);
    if (evidence !== undefined) {
      return {
        skip:
          `"${base}" was not added: JMX authentication is on (${evidence}) and the container's env sets no ` +
          `${jmx.usernameEnv} with ${jmx.passwordFileEnv} or ${jmx.passwordEnv}, so nodetool would be refused; ` +
          `set ${jmx.usernameEnv} and ${jmx.passwordFileEnv} (a mounted JMX password file) to get the hook`,
      };
    }
  }
  return { command: [...rule.command, ...extra] };
}

/**
 * The leave rule of the profile for this container's image and what becomes of it: the command
 * to run, or why none is added. Undefined when the profile has no leave command for the image.
 * The mutating webhook injects the command; the `no-leave-hook` rule asks only for a hook that
 * the webhook would inject, so the two never disagree.
 */
export function leaveFor(
  container: Container,
  profile: Profile,
  profiles: ProfileSet,
  labels?: Readonly<Record<string, string>> | null,
): { readonly rule: LeaveRule; readonly decision: LeaveDecision } | undefined {
  const rule = leaveRuleFor(profiles, profile, container.image ?? '');
  if (rule === undefined) return undefined;
  const server = serverEvidence(profile, container, labels);
  if (server !== undefined) return { rule, decision: { skip: `"${rule.command.join(' ')}" was not added: ${server}; ${profile.servers!.why}` } };
  return { rule, decision: leaveDecision(container, rule) };
}
