/**
 * The layer table of src/ (docs/architecture.md shows it). Lowest first. A file may import files
 * of its own folder and of lower layers; never a higher layer, and never another folder of its
 * own layer (mutate/ and validate/ stay independent; so do the adapters). Entries are folders or
 * single files directly under src/.
 */
export const LAYERS: readonly { readonly name: string; readonly entries: readonly string[] }[] = [
  { name: 'base', entries: ['contract.ts', 'version.ts', 'errors.ts', 'k8s', 'patch'] },
  { name: 'profiles', entries: ['profiles'] },
  { name: 'premigrate', entries: ['premigrate'] },
  { name: 'datastore', entries: ['datastore'] },
  { name: 'engines', entries: ['mutate', 'validate', 'manifests'] },
  { name: 'admission', entries: ['admission'] },
  { name: 'webhook', entries: ['webhook'] },
  { name: 'offline', entries: ['offline'] },
  { name: 'audit', entries: ['audit'] },
  { name: 'observability', entries: ['observability'] },
  { name: 'certificates', entries: ['tls'] },
  { name: 'adapters', entries: ['http', 'kube'] },
  { name: 'commands', entries: ['cli'] },
  { name: 'entry points', entries: ['main.ts'] },
  { name: 'kubectl plugin', entries: ['kubectl-plugin.ts'] },
];

/** Libraries that only some places may load at run time (`import type` is free everywhere). */
export const libraryOwners: Readonly<Record<string, readonly string[]>> = {
  '@kubernetes/client-node': ['kube'],
  express: ['http'],
};

export interface Edge {
  readonly from: string;
  readonly to: string;
}

function entryOf(file: string): string | undefined {
  return LAYERS.flatMap((l) => l.entries).find((e) => file === e || file.startsWith(`${e}/`));
}

/** The index of a file's layer in LAYERS, or undefined for a file no layer declares. */
export function layerOf(file: string): number | undefined {
  const i = LAYERS.findIndex((l) => l.entries.some((e) => file === e || file.startsWith(`${e}/`)));
  return i < 0 ? undefined : i;
}

/** One line per import that goes up a layer or sideways into another folder of the same layer. */
export function layerViolations(edges: readonly Edge[]): string[] {
  const out: string[] = [];
  for (const { from, to } of edges) {
    const a = layerOf(from);
    const b = layerOf(to);
    if (a === undefined || b === undefined) continue;
    const names = `${from} (${LAYERS[a]!.name}) imports ${to} (${LAYERS[b]!.name})`;
    if (b > a) out.push(names);
    else if (a === b && entryOf(from) !== entryOf(to)) out.push(`${names}, another folder of its own layer`);
  }
  return out;
}

/** Every cycle of the graph (Tarjan's strongly connected components of two or more nodes, or a self-loop), each sorted by name. */
export function findCycles(edges: readonly Edge[]): string[][] {
  const next = new Map<string, string[]>();
  for (const { from, to } of edges) {
    next.set(from, [...(next.get(from) ?? []), to]);
    if (!next.has(to)) next.set(to, []);
  }
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter);
    counter += 1;
    stack.push(v);
    onStack.add(v);
    for (const w of next.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const members: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        members.push(w);
      } while (w !== v);
      if (members.length > 1 || (next.get(v) ?? []).includes(v)) cycles.push(members.sort());
    }
  };
  for (const v of [...next.keys()].sort()) if (!index.has(v)) visit(v);
  return cycles.sort((x, y) => x[0]!.localeCompare(y[0]!));
}
