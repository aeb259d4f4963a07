import { ENV_PREMIGRATE_TIMEOUT, ENV_SOURCE_IMAGE, ENV_TARGET_IMAGE, PREMIGRATE_CONTAINER } from '../contract.js';
import {
  DEFAULT_POLL_SECONDS,
  DEFAULT_STABLE_CHECKS,
  DEFAULT_STOP_SECONDS,
  ENV_POLL_SECONDS,
  ENV_STABLE_CHECKS,
  ENV_STOP_SECONDS,
  MARKER_PATH,
  shQuote,
} from './shell.js';

/** What the script needs from the profile and the pod. */
export interface ScriptOptions {
  /** Candidate data directories; the first one holding data (else the first existing) is used. */
  readonly dataDirs: readonly string[];
  /** Default wait for gossip, in seconds, when the container does not set the timeout env var. */
  readonly timeoutSeconds: number;
}

/**
 * The datastore-specific part of a script: two shell functions.
 * - `start_server "$@"` starts the old server in the background with client traffic off and
 *   sets SERVER_PID. Its arguments are the main container's args.
 * - `stop_server` asks the drained server to stop; the script then waits for SERVER_PID to exit.
 *   Stopping must end the launcher only after the server itself is gone.
 */
export interface DatastoreParts {
  readonly datastore: string;
  readonly functions: string;
}

/**
 * Builds the whole POSIX sh script (DESIGN §4). The flow, one log line per state change:
 * data dir -> marker names the target? exit 0 -> fresh node? marker, exit 0 -> start the old
 * server -> poll `nodetool status` until this node is UN at $POD_IP and every peer is UN,
 * stable over several checks -> drain -> stop -> wait for exit -> marker -> exit 0.
 * Timeout, early server death, drain failure or a signal: stop the server, exit non-zero,
 * marker untouched.
 */
export function buildScript(parts: DatastoreParts, options: ScriptOptions): string {
  const dirs = options.dataDirs.map(shQuote).join(' ');
  const header = `#!/bin/sh
# gossip-safe pre-migration for ${parts.datastore} (generated; README: "Pre-migration init container").
# Runs the OLD image on the pod's NEW IP until gossip has accepted the address, so that the
# main container's new version is not a change of IP and version at once.
set -u
ME=${PREMIGRATE_CONTAINER}
DATA_DIRS_TEXT=${shQuote(options.dataDirs.join(' '))}
TARGET=\${${ENV_TARGET_IMAGE}:-}
SOURCE=\${${ENV_SOURCE_IMAGE}:-}
TIMEOUT=\${${ENV_PREMIGRATE_TIMEOUT}:-${options.timeoutSeconds}}
POLL=\${${ENV_POLL_SECONDS}:-${DEFAULT_POLL_SECONDS}}
STABLE=\${${ENV_STABLE_CHECKS}:-${DEFAULT_STABLE_CHECKS}}
STOP_WAIT=\${${ENV_STOP_SECONDS}:-${DEFAULT_STOP_SECONDS}}
POD_IP=\${POD_IP:-}
`;
  const chooseDataDir = `
DATA_DIR=
FRESH=
for dir in ${dirs}; do
  if [ -d "$dir" ] && has_data "$dir"; then DATA_DIR=$dir; FRESH=no; break; fi
done
if [ -z "$DATA_DIR" ]; then
  for dir in ${dirs}; do
    if [ -d "$dir" ]; then DATA_DIR=$dir; FRESH=yes; break; fi
  done
fi
[ -n "$DATA_DIR" ] || config_error "none of the data directories exists ($DATA_DIRS_TEXT); mount the data volume at one of them or set the profile's dataDirs"
MARKER_DIR=$DATA_DIR/${MARKER_PATH.slice(0, MARKER_PATH.lastIndexOf('/'))}
MARKER=$DATA_DIR/${MARKER_PATH}
`;
  return [header, COMMON_FUNCTIONS, EXPANSION_HELPERS, parts.functions, CHECKS, chooseDataDir, FLOW].join('');
}

const COMMON_FUNCTIONS = String.raw`
SERVER_PID=
SERVER_STATUS=
GOSSIP_STATE=

log() { printf '%s %s: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$ME" "$*"; }
now() { date +%s; }
config_error() { log "configuration error: $*; exiting with status 2"; exit 2; }

# Ends the run with a failure: stops the old server if it runs and never touches the marker.
fail() {
  log "FAILED: $*"
  stop_hard
  log "exiting with status 1, marker not written; the kubelet retries this init container"
  exit 1
}

on_signal() {
  trap - TERM INT
  log "received SIG$1"
  stop_hard
  log "exiting with status 143, marker not written"
  exit 143
}
trap 'on_signal TERM' TERM
trap 'on_signal INT' INT

is_count() { case $1 in '' | *[!0-9]*) return 1 ;; esac; [ "$1" -gt 0 ]; }
is_interval() { case $1 in '' | .* | *. | *[!0-9.]* | *.*.*) return 1 ;; esac; }

# True while the process runs (a zombie, exited but not yet reaped, counts as gone).
alive() {
  [ -n "$1" ] && kill -0 "$1" 2>/dev/null || return 1
  if [ -r "/proc/$1/stat" ]; then
    case $(cat "/proc/$1/stat" 2> /dev/null) in '' | *') Z '*) return 1 ;; esac
  fi
  return 0
}

# Runs a command bounded by STOP_WAIT seconds when coreutils' timeout is there.
run_bounded() {
  if command -v timeout > /dev/null 2>&1; then timeout "$STOP_WAIT" "$@"; else "$@"; fi
}

# Waits up to $1 seconds for the old server to exit; records its status.
wait_exit() {
  wait_end=$(($(now) + $1))
  while alive "$SERVER_PID"; do
    [ "$(now)" -lt "$wait_end" ] || return 1
    sleep "$POLL"
  done
  if [ -n "$SERVER_PID" ]; then
    wait "$SERVER_PID" 2> /dev/null
    SERVER_STATUS=$?
  fi
  SERVER_PID=
  return 0
}

# Stops the old server without a drain (failure paths only): TERM, then KILL.
stop_hard() {
  if ! alive "$SERVER_PID"; then SERVER_PID=; return 0; fi
  log "stopping old server (pid $SERVER_PID) with TERM"
  kill -TERM "$SERVER_PID" 2> /dev/null
  wait_exit "$STOP_WAIT" && return 0
  log "old server still running after $STOP_WAIT s; sending KILL"
  kill -KILL "$SERVER_PID" 2> /dev/null
  wait_exit 10 || log "old server (pid $SERVER_PID) did not go away after KILL"
}

# A node has data once its data or commit log directories hold any file. An error while looking
# (an unreadable directory) also counts as data: starting the old version is the safe mistake.
has_data() {
  for sub in data commitlog; do
    [ -e "$1/$sub" ] || continue
    [ -z "$(find "$1/$sub" -type f 2>&1 | head -n 1)" ] || return 0
  done
  return 1
}

# Writes the marker atomically (temp file, then rename). $1: why.
write_marker() {
  mkdir -p "$MARKER_DIR" || return 1
  marker_tmp=$MARKER.tmp.$$
  if printf '%s\nreason=%s\nat=%s\npod-ip=%s\n' "$TARGET" "$1" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$POD_IP" > "$marker_tmp" &&
    mv -f "$marker_tmp" "$MARKER"; then
    return 0
  fi
  rm -f "$marker_tmp"
  return 1
}

# One look at gossip through nodetool status. Sets GOSSIP_STATE; true when this node is UN at
# $POD_IP and every other listed node is UN (or there is none).
check_gossip() {
  if ! status_out=$(nodetool status 2>&1); then
    GOSSIP_STATE="nodetool status does not answer yet"
    return 1
  fi
  self_state=
  peers=0
  not_up=
  while read -r st addr rest; do
    case $st in [UD?][NLJM]) ;; *) continue ;; esac
    is_self=no
    if [ "$addr" = "$POD_IP" ]; then
      is_self=yes
    else
      case $addr in *:*) [ "$(ip_canon "$addr")" != "$SELF_CANON" ] || is_self=yes ;; esac
    fi
    if [ "$is_self" = yes ]; then self_state=$st; continue; fi
    peers=$((peers + 1))
    [ "$st" = UN ] || not_up="$not_up $addr=$st"
  done << EOF
$status_out
EOF
  if [ -z "$self_state" ]; then
    GOSSIP_STATE="this node ($POD_IP) is not in nodetool status yet"
    return 1
  fi
  if [ "$self_state" != UN ]; then
    GOSSIP_STATE="this node ($POD_IP) is $self_state, waiting for UN"
    return 1
  fi
  if [ -n "$not_up" ]; then
    GOSSIP_STATE="this node is UN at $POD_IP; waiting for peers:$not_up"
    return 1
  fi
  if [ "$peers" -eq 0 ]; then
    GOSSIP_STATE="this node is UN at $POD_IP and alone in its cluster"
  else
    GOSSIP_STATE="this node is UN at $POD_IP and all $peers peer(s) are UN"
  fi
  return 0
}
`;

// A normal template literal: the shell needs \${...} here.
const EXPANSION_HELPERS = `
# One spelling per address, so that Java's fd00:0:0:0:0:0:0:1b equals Kubernetes' fd00::1b.
# IPv4 addresses are returned as they are.
ip_canon() {
  case $1 in *:*) ;; *) printf '%s\\n' "$1"; return 0 ;; esac
  ic_addr=$(printf '%s' "\${1%%\\%*}" | tr 'ABCDEF' 'abcdef')
  case $ic_addr in
    *::*) ic_head=\${ic_addr%%::*}; ic_tail=\${ic_addr#*::} ;;
    *) ic_head=$ic_addr; ic_tail= ;;
  esac
  ic_n=0
  for ic_part in $(printf '%s' "$ic_head:$ic_tail" | tr ':' ' '); do ic_n=$((ic_n + 1)); done
  ic_zeros=
  case $ic_addr in *::*) while [ "$ic_n" -lt 8 ]; do ic_zeros="$ic_zeros 0"; ic_n=$((ic_n + 1)); done ;; esac
  ic_out=
  for ic_part in $(printf '%s' "$ic_head" | tr ':' ' ') $ic_zeros $(printf '%s' "$ic_tail" | tr ':' ' '); do
    while case $ic_part in 0?*) true ;; *) false ;; esac; do ic_part=\${ic_part#0}; done
    ic_out="$ic_out:$ic_part"
  done
  printf '%s\\n' "\${ic_out#:}"
}
# The version an image's tag names (4.1.3 for cassandra:4.1.3-jammy; digest ignored), else the tag.
image_version() {
  iv_ref=\${1%%@*}
  case \${iv_ref##*/} in *:*) iv_tag=\${iv_ref##*:} ;; *) iv_tag=latest ;; esac
  iv_version=\${iv_tag#v}
  iv_version=\${iv_version%%[!0-9.]*}
  if [ -n "$iv_version" ]; then echo "$iv_version"; else echo "$iv_tag"; fi
}
`;

const CHECKS = String.raw`
[ -n "$TARGET" ] || config_error "$ME needs the target image in GOSSIP_SAFE_TARGET_IMAGE"
is_count "$TIMEOUT" || config_error "timeout must be a whole number of seconds, got '$TIMEOUT'"
is_interval "$POLL" || config_error "poll interval must be a number of seconds, got '$POLL'"
is_count "$STABLE" || config_error "stable check count must be a whole number, got '$STABLE'"
is_count "$STOP_WAIT" || config_error "stop wait must be a whole number of seconds, got '$STOP_WAIT'"
`;

const FLOW = String.raw`
marked=
if [ -f "$MARKER" ]; then
  [ -r "$MARKER" ] || fail "cannot read the marker $MARKER"
  IFS= read -r marked < "$MARKER" || true
fi
if [ -n "$marked" ] && [ "$marked" = "$TARGET" ]; then
  log "marker $MARKER names $TARGET: node already migrated, nothing to do"
  exit 0
fi
if [ "$FRESH" = yes ]; then
  log "no data files in $DATA_DIR: fresh node, nothing to migrate"
  write_marker fresh-node || fail "cannot write the marker $MARKER"
  log "marker written ($MARKER names $TARGET); exiting 0"
  exit 0
fi
# The marker names the image this data was last prepared for. Starting an old image of another
# version than that one could run older code on newer data files: refuse, and say how to fix it.
if [ -n "$marked" ] && [ -n "$SOURCE" ] && [ "$(image_version "$marked")" != "$(image_version "$SOURCE")" ]; then
  fail "REFUSED: the marker says this data was last prepared for $marked, but the old image to run is $SOURCE; set gossip-safe.io/migrate-from-image to $marked (or remove $MARKER if you are sure the data is from $SOURCE)"
fi
[ -n "$POD_IP" ] || config_error "POD_IP is not set; it must come from the downward API (status.podIP)"
SELF_CANON=$(ip_canon "$POD_IP")

log "node has data in $DATA_DIR and no marker for $TARGET; starting the old version on $POD_IP with client traffic off (timeout $TIMEOUT s)"
start_server "$@"
log "old server started (pid $SERVER_PID); waiting for gossip to accept $POD_IP"
deadline=$(($(now) + TIMEOUT))
stable=0
last_state=
while :; do
  if ! alive "$SERVER_PID"; then
    wait "$SERVER_PID" 2> /dev/null
    early_status=$?
    SERVER_PID=
    fail "old server exited early (status $early_status) before gossip accepted $POD_IP"
  fi
  if check_gossip; then stable=$((stable + 1)); else stable=0; fi
  if [ "$GOSSIP_STATE" != "$last_state" ]; then
    log "$GOSSIP_STATE"
    last_state=$GOSSIP_STATE
  fi
  [ "$stable" -lt "$STABLE" ] || break
  [ "$(now)" -lt "$deadline" ] || fail "timed out after $TIMEOUT s waiting for gossip to accept $POD_IP (last state: $GOSSIP_STATE)"
  sleep "$POLL"
done

log "gossip accepted $POD_IP (stable over $STABLE checks); draining"
run_bounded nodetool drain
drain_status=$?
[ "$drain_status" -eq 0 ] || fail "nodetool drain failed (status $drain_status)"
log "drained; stopping the old server"
stop_server
wait_exit "$STOP_WAIT" || fail "old server did not exit within $STOP_WAIT s of the stop"
log "old server exited (status $SERVER_STATUS)"
if nodetool status > /dev/null 2>&1; then
  fail "the server still answers nodetool after its launcher exited"
fi
write_marker gossip-accepted || fail "cannot write the marker $MARKER"
log "marker written ($MARKER names $TARGET); exiting 0 so the main container starts the new version"
exit 0
`;
