import { members, type Member } from './serf.js';
import type { Incarnation } from './statefulset.js';
import type { Check } from './wait.js';

function describeView(viewer: Incarnation, view: readonly Member[]): string {
  const lines = [...view]
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((m) => `    ${m.name}  ${m.addr}  ${m.status}`);
  return `  ${viewer.podName} (${viewer.ip}) sees:\n${lines.join('\n')}`;
}

/**
 * Every viewer lists `name` at `addr` with `status`. A member listed twice, or at another
 * address, does not count.
 */
export function everyViewShows(viewers: readonly Incarnation[], name: string, addr: string, status: string): Check {
  return async () => {
    const views = await Promise.all(viewers.map(async (v) => [v, await members(v.rpcAddr)] as const));
    const ok = views.every(([, view]) => {
      const entries = view.filter((m) => m.name === name);
      return entries.length === 1 && entries[0]!.addr === addr && entries[0]!.status === status;
    });
    return { ok, detail: views.map(([v, view]) => describeView(v, view)).join('\n') };
  };
}

/** Every viewer lists every one of `expected` as alive at its own address. */
export function allAlive(viewers: readonly Incarnation[], expected: readonly Incarnation[]): Check {
  return async () => {
    const views = await Promise.all(viewers.map(async (v) => [v, await members(v.rpcAddr)] as const));
    const ok = views.every(([, view]) =>
      expected.every((e) => view.some((m) => m.name === e.nodeName && m.addr === e.gossipAddr && m.status === 'alive')),
    );
    return { ok, detail: views.map(([v, view]) => describeView(v, view)).join('\n') };
  };
}

/** Every member any viewer lists at `addr` has left (listing none there is fine too). */
export function onlyLeftAt(viewers: readonly Incarnation[], addr: string): Check {
  return async () => {
    const views = await Promise.all(viewers.map(async (v) => [v, await members(v.rpcAddr)] as const));
    const ok = views.every(([, view]) => view.every((m) => m.addr !== addr || m.status === 'left'));
    return { ok, detail: views.map(([v, view]) => describeView(v, view)).join('\n') };
  };
}
