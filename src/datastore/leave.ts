import type { Container } from '../k8s/types.js';
import { leaveRuleFor } from '../profiles/profile-set.js';
import type { LeaveRule, Profile, ProfileSet } from '../profiles/types.js';

/**
 * The words of the container's command line: command and args, each also split on whitespace
 * and quotes, so a flag inside a `sh -c` script (`exec consul agent -server ...`) counts too.
 */
function commandWords(container: Container): string[] {
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
): { readonly rule: LeaveRule; readonly decision: LeaveDecision } | undefined {
  const rule = leaveRuleFor(profiles, profile, container.image ?? '');
  return rule === undefined ? undefined : { rule, decision: leaveDecision(container, rule) };
}
