#!/bin/sh
# Cassandra lab stand-in for the official image's docker-entrypoint.sh (SIMULATED PART).
# What it keeps of the real one: when the command is `cassandra` (or only options), it renders
# /etc/cassandra/cassandra.yaml from the CASSANDRA_* environment (listen address "auto" = the
# pod's own IP from its /etc/hosts, seeds, cluster name, broadcast addresses), then execs the
# command. What it leaves out: the step down to the cassandra user (lab pods run as root).
set -e
case ${1:-} in
  '' | -*) set -- cassandra -f "$@" ;;
esac
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
