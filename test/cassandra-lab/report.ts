/** Per pod of a roll: addresses, time in pre-migration, time from the delete to UN at the new IP. */
export interface PodReport {
  readonly pod: string;
  readonly oldIp: string;
  readonly newIp: string;
  readonly premigrateMs: number | null;
  /** A peer's nodetool status showed the host ID UN at the new IP before the script's drain. */
  readonly peerSawHostIdAtNewIpDuringPremigration: boolean | null;
  /** After the init containers, before the main container: a peer lists the host ID at the new IP. */
  readonly peerListsNewIpAfterPremigration: boolean | null;
  readonly msToUN: number;
  /**
   * After the pre-migration, before the main container: files on the volume (the marker's
   * directory aside) not owned by the user the server runs as; null when the server runs as root.
   */
  readonly notOwnedByServerUser: readonly string[] | null;
  /** The uid owning the marker then (the init container's user), null when not observed. */
  readonly markerOwner: number | null;
}

export interface RollReport {
  readonly label: string;
  readonly from: string;
  readonly to: string;
  readonly pods: readonly PodReport[];
  readonly rollMs: number;
  readonly operations: number;
  readonly failedOperations: number;
  readonly firstErrors: readonly string[];
  readonly rowsVerified: number;
}

const s = (ms: number | null): string => (ms === null ? '-' : `${(ms / 1000).toFixed(0)} s`);

/** The short text table the README shows. */
export function formatReport(rolls: readonly RollReport[]): string {
  const lines: string[] = [];
  for (const r of rolls) {
    lines.push(`${r.label}: ${r.from} -> ${r.to}, roll ${s(r.rollMs)}, ops ${r.operations}, failed ${r.failedOperations}, rows verified ${r.rowsVerified}`);
    lines.push('  pod          old IP        new IP        pre-migration  to UN   peer saw host ID UN at new IP before the drain / lists it there after');
    for (const p of r.pods) {
      const yn = (b: boolean | null): string => (b === null ? '-' : b ? 'yes' : 'no');
      const seen = `${yn(p.peerSawHostIdAtNewIpDuringPremigration)} / ${yn(p.peerListsNewIpAfterPremigration)}`;
      lines.push(`  ${p.pod.padEnd(12)} ${p.oldIp.padEnd(13)} ${p.newIp.padEnd(13)} ${s(p.premigrateMs).padEnd(14)} ${s(p.msToUN).padEnd(7)} ${seen}`);
    }
    for (const e of r.firstErrors) lines.push(`  error: ${e}`);
  }
  return `${lines.join('\n')}\n`;
}
