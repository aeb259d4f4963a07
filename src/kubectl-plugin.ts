#!/usr/bin/env node
// kubectl-gossip_safe: `kubectl gossip-safe check|inject|audit ...` runs the gossip-safe CLI.
import { pluginArgv } from './cli/kubectl-plugin-args.js';

process.argv = [...process.argv.slice(0, 2), ...pluginArgv(process.argv.slice(2))];
process.env['GOSSIP_SAFE_PROGRAM'] = 'kubectl gossip-safe';
await import('./main.js');
