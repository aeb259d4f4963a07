#!/usr/bin/env bash
# Removes what the Cassandra lab may have left (a killed run): every process in a gsc-*
# network namespace, the namespaces, and the bridge gsc-br0. Touches nothing else.
set -u
for ns in $(ip -o netns list 2>/dev/null | awk '{print $1}' | grep '^gsc-'); do
  for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null; done
  sleep 0.3
  ip netns del "$ns" 2>/dev/null
done
ip link del gsc-br0 2>/dev/null
exit 0
