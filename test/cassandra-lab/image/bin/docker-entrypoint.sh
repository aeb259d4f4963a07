#!/bin/sh
# Cassandra lab stand-in for the official image's docker-entrypoint.sh (SIMULATED PART).
# What it keeps of the real one: when the command is `cassandra` (or only options), it renders
# /etc/cassandra/cassandra.yaml from the CASSANDRA_* environment (listen address "auto" = the
# pod's own IP from its /etc/hosts, seeds, cluster name, broadcast addresses), then execs the
# command. Like the real one, when it runs as root it first hands /etc/cassandra,
# /var/lib/cassandra and /var/log/cassandra to the cassandra user and re-runs itself as that user
# (the real image: find ... ! -user cassandra -exec chown cassandra; gosu cassandra), with the
# user's uid in CASSANDRA_LAB_RUN_AS (999 in the official image; the kubelet stand-in sets it),
# and setpriv (util-linux) for gosu. Without CASSANDRA_LAB_RUN_AS it stays root.
set -e
case ${1:-} in
  '' | -*) set -- cassandra -f "$@" ;;
esac
run_as=${CASSANDRA_LAB_RUN_AS:-}
if [ "$1" = cassandra ] && [ -n "$run_as" ] && [ "$(id -u)" = 0 ]; then
  mkdir -p /etc/cassandra /var/lib/cassandra /var/log/cassandra
  find /etc/cassandra /var/lib/cassandra /var/log/cassandra ! -user "$run_as" -exec chown "$run_as:$run_as" '{}' +
  exec setpriv --reuid="$run_as" --regid="$run_as" --clear-groups -- "$0" "$@"
fi
if [ "$1" = cassandra ]; then
  mkdir -p /etc/cassandra
  [ -f /etc/cassandra/cassandra.yaml ] || cp /opt/cassandra/conf/cassandra.yaml /etc/cassandra/cassandra.yaml
  listen=${CASSANDRA_LISTEN_ADDRESS:-auto}
  [ "$listen" != auto ] || listen=$(hostname -i | awk '{print $1}')
  broadcast=${CASSANDRA_BROADCAST_ADDRESS:-$listen}
  broadcast_rpc=${CASSANDRA_BROADCAST_RPC_ADDRESS:-$broadcast}
  seeds=${CASSANDRA_SEEDS:-$broadcast}
  sed -i \
    -e "s|^cluster_name:.*|cluster_name: '${CASSANDRA_CLUSTER_NAME:-Test Cluster}'|" \
    -e "s|^listen_address:.*|listen_address: $listen|" \
    -e "s|^broadcast_address:.*|broadcast_address: $broadcast|" \
    -e "s|^rpc_address:.*|rpc_address: ${CASSANDRA_RPC_ADDRESS:-0.0.0.0}|" \
    -e "s|^broadcast_rpc_address:.*|broadcast_rpc_address: $broadcast_rpc|" \
    -e "s|- seeds:.*|- seeds: \"$seeds\"|" \
    -e "s|^num_tokens:.*|num_tokens: ${CASSANDRA_NUM_TOKENS:-4}|" \
    /etc/cassandra/cassandra.yaml
fi
exec "$@"
