#!/usr/bin/env bash
# Removes what the Cassandra lab may have left (a killed run): every process in a gsc-*
# network namespace, the namespaces, their veths (gsc-h*), and the bridge gsc-br0. Touches nothing else.
set -u
for ns in $(ip -o netns list 2>/dev/null | awk '{print $1}' | grep '^gsc-'); do
  for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null; done
  sleep 0.3
  ip netns del "$ns" 2>/dev/null
done
for link in $(ip -o link show 2>/dev/null | sed -n 's/^[0-9]*: \(gsc-h[0-9]*\)[@:].*/\1/p'); do
  ip link del "$link" 2>/dev/null
done
ip link del gsc-br0 2>/dev/null
exit 0
