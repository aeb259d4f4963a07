import { buildScript, type DatastoreParts, type ScriptOptions } from './script.js';

/** The ScyllaDB option that keeps CQL clients away from the old version. */
export const SCYLLA_CLIENT_TRAFFIC_OFF = '--start-native-transport=0';

/**
 * The official image's launcher is /docker-entrypoint.py: it takes the main container's args
 * (--seeds, --smp, --memory, ...), passes unknown ones on to scylla, and runs scylla-server
 * (and scylla-jmx on versions that need it for nodetool) under supervisord. A TERM to it is
 * forwarded to supervisord, which stops scylla and exits, so the launcher ends after the server.
 */
const SCYLLA: DatastoreParts = {
  datastore: 'ScyllaDB',
  functions: `
start_server() {
  if command -v docker-entrypoint.py > /dev/null 2>&1; then
    scylla_launcher=docker-entrypoint.py
  elif [ -x /docker-entrypoint.py ]; then
    scylla_launcher=/docker-entrypoint.py
  else
    fail "no ScyllaDB launcher found (/docker-entrypoint.py)"
  fi
  set -- "$scylla_launcher" "$@" ${SCYLLA_CLIENT_TRAFFIC_OFF}
  log "starting the old server: $*"
  "$@" > "$SERVER_LOG" 2>&1 &
  SERVER_PID=$!
}

stop_server() {
  log "stopping the old server: TERM to pid $SERVER_PID"
  kill -TERM "$SERVER_PID" 2> /dev/null || log "the old server was already gone"
}
`,
  configRejection: '',
};

export function scyllaScript(options: ScriptOptions): string {
  return buildScript(SCYLLA, options);
}
