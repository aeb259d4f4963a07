// Prints the krew plugin manifest (krew.googlecode.com/v1alpha2) for the kubectl plugin, for the
// package tarball `npm pack` made (docs/install.md "The CLI"):
//   node scripts/krew-manifest.mjs gossip-safe-0.1.0.tgz [URI] > gossip-safe.yaml
// URI is where the tarball is published (default: the npm registry's URL for this version).
// The tarball bundles its dependencies, so krew's unpacked copy runs with just Node.js 24 on PATH.
// Exit codes: 0 printed; 64 usage error; 3 the tarball cannot be read.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';

const [tarball, uriArg, ...rest] = process.argv.slice(2);
if (tarball === undefined || rest.length > 0) {
  console.error('usage: node scripts/krew-manifest.mjs TARBALL [URI]');
  process.exit(64);
}
const pkg = JSON.parse(readFileSync(join(dirname(fileURLToPath(import.meta.url)), '..', 'package.json'), 'utf8'));
let bytes;
try {
  bytes = readFileSync(tarball);
} catch (e) {
  console.error(`krew-manifest: cannot read ${tarball}: ${e.code ?? e.message}`);
  process.exit(3);
}
const uri = uriArg ?? `https://registry.npmjs.org/${pkg.name}/-/${pkg.name}-${pkg.version}.tgz`;
const manifest = {
  apiVersion: 'krew.googlecode.com/v1alpha2',
  kind: 'Plugin',
  metadata: { name: 'gossip-safe' },
  spec: {
    version: `v${pkg.version}`,
    shortDescription: 'Check, inject and audit gossip datastores for safe restarts',
    description: `${pkg.description}. kubectl gossip-safe check|inject|review|audit gives the webhook's verdicts offline, for manifests, Helm output and what runs in the cluster.`,
    caveats: `Needs Node.js ${pkg.engines.node} on PATH (the plugin is a Node.js program).\n`,
    platforms: ['linux', 'darwin'].flatMap((os) =>
      ['amd64', 'arm64'].map((arch) => ({
        selector: { matchLabels: { os, arch } },
        uri,
        sha256: createHash('sha256').update(bytes).digest('hex'),
        files: [{ from: 'package/*', to: '.' }],
        bin: pkg.bin['kubectl-gossip_safe'],
      })),
    ),
  },
};
process.stdout.write(stringify(manifest));
