import type { Container } from '../k8s/types.js';
import { leaveRuleFor } from '../profiles/profile-set.js';
import type { LeaveRule, Profile, ProfileSet } from '../profiles/types.js';
import { warning, type MutationReport } from './report.js';

function sameCommand(a: readonly string[] | null | undefined, b: readonly string[]): boolean {
  return a != null && a.length === b.length && a.every((s, i) => s === b[i]);
}

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

type LeaveDecision = { readonly command: readonly string[] } | { readonly skip: string };

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
 * Adds the profile's graceful-leave preStop, unless the container has a preStop of its own, or
 * the hook cannot work there (then a warning says why and nothing is added).
 */
export function ensureLeaveHook(container: Container, profile: Profile, profiles: ProfileSet, report: MutationReport): void {
  const rule = leaveRuleFor(profiles, profile, container.image ?? '');
  if (rule === undefined) return;
  const decision = leaveDecision(container, rule);
  const existing = container.lifecycle?.preStop;
  if (existing != null) {
    if (!sameCommand(existing.exec?.command, 'command' in decision ? decision.command : rule.command)) {
      report.warnings.push(
        warning(`container "${container.name}" keeps its own preStop hook; "${rule.command.join(' ')}" was not added`),
      );
    }
    return;
  }
  if ('skip' in decision) {
    report.warnings.push(warning(`container "${container.name}": ${decision.skip}`));
    return;
  }
  container.lifecycle = { ...container.lifecycle, preStop: { exec: { command: [...decision.command] } } };
  report.injected.push('preStop');
}
