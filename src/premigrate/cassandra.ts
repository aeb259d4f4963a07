import { buildScript, type DatastoreParts, type ScriptOptions } from './script.js';

/** JVM system properties that keep clients away from the old version while gossip settles. */
export const CASSANDRA_CLIENT_TRAFFIC_OFF = '-Dcassandra.start_native_transport=false -Dcassandra.start_rpc=false';

/**
 * Launchers, first found wins, each reproducing what the image does when the main container
 * sets only `args` (the script gets them as "$@"):
 * - Bitnami: its entrypoint renders the config from env, then runs run.sh (the image's CMD).
 * - Official image: docker-entrypoint.sh renders cassandra.yaml from env (CASSANDRA_SEEDS,
 *   CASSANDRA_BROADCAST_ADDRESS...), steps down to the cassandra user, and execs `cassandra -f`.
 * - Otherwise the bare `cassandra -f` (with -R when root, which Cassandra otherwise refuses).
 * Client traffic goes off through JVM_EXTRA_OPTS, which cassandra-env.sh appends to the JVM
 * options in every launcher. Stopping uses `nodetool stopdaemon`: the JVM exits by itself, so
 * the launcher ends only after the server has.
 */
const CASSANDRA: DatastoreParts = {
  datastore: 'Cassandra',
  functions: `
start_server() {
  JVM_EXTRA_OPTS="\${JVM_EXTRA_OPTS:+$JVM_EXTRA_OPTS }${CASSANDRA_CLIENT_TRAFFIC_OFF}"
  export JVM_EXTRA_OPTS
  if [ -x /opt/bitnami/scripts/cassandra/entrypoint.sh ]; then
    [ "$#" -gt 0 ] || set -- /opt/bitnami/scripts/cassandra/run.sh
    set -- /opt/bitnami/scripts/cassandra/entrypoint.sh "$@"
  elif command -v docker-entrypoint.sh > /dev/null 2>&1; then
    [ "$#" -gt 0 ] || set -- cassandra -f
    set -- docker-entrypoint.sh "$@"
  elif command -v cassandra > /dev/null 2>&1; then
    set -- cassandra -f
    [ "$(id -u)" != 0 ] || set -- "$@" -R
  else
    fail "no Cassandra launcher found (docker-entrypoint.sh or cassandra on PATH)"
  fi
  log "starting the old server: $* (JVM_EXTRA_OPTS=$JVM_EXTRA_OPTS)"
  "$@" > "$SERVER_LOG" 2>&1 &
  SERVER_PID=$!
}

stop_server() {
  log "nodetool stopdaemon"
  bounded "$CALL_WAIT" nodetool_run stopdaemon || log "nodetool stopdaemon returned status $CALL_STATUS (usual: the server closes the connection as it exits; 124: no answer within $CALL_WAIT s)"
}
`,
  configRejection: 'Invalid yaml|ConfigurationException|Fatal configuration error',
};

export function cassandraScript(options: ScriptOptions): string {
  return buildScript(CASSANDRA, options);
}
