import { readFileSync, writeFileSync } from 'node:fs';
import type { NodeState } from './node.js';

export const NODE_STATE_ENV = 'GOSSIP_SAFE_E2E_NODE_STATE';

export function loadNodeState(file: string): NodeState {
  return JSON.parse(readFileSync(file, 'utf8')) as NodeState;
}

export function saveNodeState(state: NodeState, file: string): void {
  writeFileSync(file, `${JSON.stringify(state, null, 2)}\n`);
}
