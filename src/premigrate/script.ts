import { ENV_PREMIGRATE_TIMEOUT, ENV_SOURCE_IMAGE, ENV_TARGET_IMAGE, PREMIGRATE_CONTAINER } from '../contract.js';
import {
  DEFAULT_POLL_SECONDS,
  DEFAULT_STABLE_CHECKS,
  DEFAULT_STOP_SECONDS,
  DEFAULT_START_SECONDS,
  DEFAULT_CALL_SECONDS,
  ENV_START_SECONDS,
  ENV_CALL_SECONDS,
  ENV_MARKER_DIR,
  ENV_NODETOOL_OPTS,
  ENV_JMX_CREDENTIALS,
  ENV_POLL_SECONDS,
  ENV_SOURCE_FORMATS,
  ENV_SOURCE_VERSION,
  ENV_STABLE_CHECKS,
  ENV_STOP_SECONDS,
  ENV_TARGET_FORMATS,
  ENV_TARGET_VERSION,
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
 * The datastore-specific part of a script: two shell functions, and how the server says that
 * it rejects its configuration.
 * - `start_server "$@"` starts the old server in the background with client traffic off, its
 *   output to "$SERVER_LOG", and sets SERVER_PID. Its arguments are the main container's args.
 * - `stop_server` asks the drained server to stop; the script then waits for SERVER_PID to exit.
 *   Stopping must end the launcher only after the server itself is gone.
 */
export interface DatastoreParts {
  readonly datastore: string;
  readonly functions: string;
  /**
   * An extended regular expression (grep -E) matching the server's own lines that reject its
   * configuration; the script fails at once with the first such line. Empty: no such check.
   */
  readonly configRejection: string;
}

/**
 * Builds the whole POSIX sh script (docs/premigration.md). The flow, one log line per state change:
 * data dir -> the new version cannot read the SSTable format on disk? refuse -> marker names
 * the target's version? exit 0 -> fresh node? marker, exit 0 -> marker from another version
 * than the old image, or the old image cannot read the format on disk? refuse -> start the old
 * server -> poll until this node (its host ID from `nodetool info`) is UN at its broadcast
 * address and every peer is UN, stable over several checks -> drain -> stop -> wait for exit ->
 * marker on the data's persistent volume -> exit 0.
 * Timeout, early server death, a config rejection in the server's output, drain failure or a
 * signal: stop the server, exit non-zero, marker untouched.
 */
export function buildScript(parts: DatastoreParts, options: ScriptOptions): string {
  const dirs = options.dataDirs.map(shQuote).join(' ');
  const header = `#!/bin/sh
# shellcheck disable=SC2317 # functions called only from traps and the watchdog look unreachable
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
START_WAIT=\${${ENV_START_SECONDS}:-${DEFAULT_START_SECONDS}}
CALL_WAIT=\${${ENV_CALL_SECONDS}:-${DEFAULT_CALL_SECONDS}}
NODETOOL_OPTS=\${${ENV_NODETOOL_OPTS}:-}
JMX_CREDENTIALS=\${${ENV_JMX_CREDENTIALS}:-}
POD_IP=\${POD_IP:-}
MARKER_BASE_ENV=\${${ENV_MARKER_DIR}:-}
SOURCE_VERSION=\${${ENV_SOURCE_VERSION}:-}
TARGET_VERSION=\${${ENV_TARGET_VERSION}:-}
SOURCE_FORMATS=\${${ENV_SOURCE_FORMATS}:-}
TARGET_FORMATS=\${${ENV_TARGET_FORMATS}:-}
DATASTORE=${shQuote(parts.datastore)}
CONFIG_REJECTION=${shQuote(parts.configRejection)}
`;
  const chooseDataDir = `
# Every SSTable data file in every data directory that exists (the format guard reads them all).
find_data_files() {
  set --
  # shellcheck disable=SC2041 # a profile with one data directory makes a list of one
  for fd_dir in ${dirs}; do
    [ ! -d "$fd_dir" ] || set -- "$@" "$fd_dir"
  done
  [ "$#" -gt 0 ] || return 0
  find "$@" \\( -name snapshots -o -name backups \\) -prune -o -type f -name '*-Data.db' -print 2> /dev/null
}
DATA_DIR=
FRESH=
# shellcheck disable=SC2041 # a profile with one data directory makes a list of one
for dir in ${dirs}; do
  if [ -d "$dir" ] && has_data "$dir"; then DATA_DIR=$dir; FRESH=no; break; fi
done
if [ -z "$DATA_DIR" ]; then
  # shellcheck disable=SC2041 # a profile with one data directory makes a list of one
  for dir in ${dirs}; do
    if [ -d "$dir" ]; then DATA_DIR=$dir; FRESH=yes; break; fi
  done
fi
[ -n "$DATA_DIR" ] || config_error "none of the data directories exists ($DATA_DIRS_TEXT); mount the data volume at one of them or set the profile's dataDirs"
# The marker lives on the persistent volume that holds the data (its mount path comes from the
# webhook); without one, in the data directory.
MARKER_BASE=$DATA_DIR
if [ -n "$MARKER_BASE_ENV" ]; then
  [ -d "$MARKER_BASE_ENV" ] || config_error "the data volume's mount path $MARKER_BASE_ENV (${ENV_MARKER_DIR}) is not a directory"
  MARKER_BASE=$MARKER_BASE_ENV
fi
MARKER_DIR=$MARKER_BASE/${MARKER_PATH.slice(0, MARKER_PATH.lastIndexOf('/'))}
MARKER=$MARKER_BASE/${MARKER_PATH}
SERVER_LOG_FILE=$MARKER_DIR/old-server.log
`;
  return [header, COMMON_FUNCTIONS, EXPANSION_HELPERS, parts.functions, CHECKS, chooseDataDir, FLOW].join('');
}

const COMMON_FUNCTIONS = String.raw`
SERVER_PID=
SERVER_STATUS=
GOSSIP_STATE=
CALL_PID=
DOG_PID=
PAUSE_PID=
CALL_OUT=
CALL_STATUS=0

log() { printf '%s %s: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$ME" "$*"; }
now() { date +%s; }
config_error() { log "configuration error: $*; exiting with status 2"; exit 2; }

# Ends the run with a failure: stops the old server if it runs and never touches the marker.
fail() {
  stop_helpers
  show_server_output
  log "FAILED: $*"
  stop_hard
  show_server_output
  log "exiting with status 1, marker not written; the kubelet retries this init container"
  exit 1
}

on_signal() {
  trap - TERM INT
  log "received SIG$1"
  stop_helpers
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

# Sleeps $1 seconds in the background and waits for it, so that a TERM is handled at once
# (a trap runs only after a foreground command ends, but interrupts a wait).
pause() {
  sleep "$1" &
  PAUSE_PID=$!
  wait "$PAUSE_PID" 2> /dev/null
  PAUSE_PID=
}

# Runs an external command bounded by $1 seconds: TERM at the bound, KILL 5 s later. Its output
# goes to $CALL_OUT, its status to CALL_STATUS (124 when the bound was hit). The command runs in
# the background and is waited for, so that a TERM to this script is handled at once (on_signal
# stops it). The watchdog counts whole seconds and is ended with KILL: it needs no trap, and
# leaves at most a one-second sleep behind.
bounded() {
  b_secs=$1
  shift
  rm -f "$CALL_OUT.timedout"
  "$@" > "$CALL_OUT" 2>&1 &
  CALL_PID=$!
  (
    trap - TERM INT
    b_n=0
    while [ "$b_n" -lt "$b_secs" ]; do
      sleep 1
      b_n=$((b_n + 1))
    done
    : > "$CALL_OUT.timedout"
    kill -TERM "$CALL_PID" 2> /dev/null
    sleep 5
    kill -KILL "$CALL_PID" 2> /dev/null
  ) > /dev/null 2>&1 &
  DOG_PID=$!
  wait "$CALL_PID"
  CALL_STATUS=$?
  CALL_PID=
  kill -KILL "$DOG_PID" 2> /dev/null
  wait "$DOG_PID" 2> /dev/null
  DOG_PID=
  if [ -f "$CALL_OUT.timedout" ]; then
    CALL_STATUS=124
    rm -f "$CALL_OUT.timedout"
  fi
  return "$CALL_STATUS"
}

# The value of the env var named $1 (empty for a name that is not a plain identifier).
env_value() {
  case $1 in '' | [!A-Za-z_]* | *[!A-Za-z0-9_]*) return 0 ;; esac
  eval "printf '%s' \"\${$1:-}\""
}

# nodetool as the old image needs it, like the leave hook: the JVM options the webhook found for
# the old image (GOSSIP_SAFE_NODETOOL_OPTS), the JMX port (JMX_PORT) and the JMX credentials from
# the env vars GOSSIP_SAFE_JMX_CREDENTIALS names (user, password file, password). Run it only in
# the background (bounded): it execs nodetool, so the watchdog stops nodetool itself.
nodetool_run() {
  nr_user=
  nr_pwf=
  nr_pw=
  if [ -n "$JMX_CREDENTIALS" ]; then
    read -r nr_user_env nr_pwf_env nr_pw_env << EOF
$JMX_CREDENTIALS
EOF
    nr_user=$(env_value "$nr_user_env")
    nr_pwf=$(env_value "$nr_pwf_env")
    nr_pw=$(env_value "$nr_pw_env")
  fi
  if [ -n "$nr_user" ] && [ -n "$nr_pwf" ]; then
    set -- -u "$nr_user" -pwf "$nr_pwf" "$@"
  elif [ -n "$nr_user" ] && [ -n "$nr_pw" ]; then
    set -- -u "$nr_user" -pw "$nr_pw" "$@"
  fi
  nr_port=$(env_value JMX_PORT)
  [ -z "$nr_port" ] || set -- -p "$nr_port" "$@"
  # Word splitting wanted: the options are plain -Dname=value words from the webhook.
  # shellcheck disable=SC2086
  exec nodetool $NODETOOL_OPTS "$@"
}

# Fails at once when the last nodetool call was refused by JMX authentication: retrying cannot
# help, and the refusal itself is the reason to show.
fail_if_jmx_refused() {
  fr_line=$(grep -E -m 1 'SecurityException|Authentication failed' "$CALL_OUT" 2> /dev/null | cut -c 1-400)
  [ -n "$fr_line" ] || return 0
  fr_names=$JMX_CREDENTIALS
  [ -n "$fr_names" ] || fr_names="none known for this image"
  fail "nodetool was refused by JMX authentication ($fr_line); give the main container the JMX credentials (GOSSIP_SAFE_JMX_CREDENTIALS names the env vars: $fr_names), see docs/premigration.md"
}

# Stops what this script runs in the background besides the server: a call, its watchdog, a pause.
stop_helpers() {
  [ -z "$DOG_PID" ] || kill -KILL "$DOG_PID" 2> /dev/null
  for sh_pid in "$CALL_PID" "$PAUSE_PID"; do
    [ -z "$sh_pid" ] || kill -TERM "$sh_pid" 2> /dev/null
  done
  CALL_PID=
  DOG_PID=
  PAUSE_PID=
}

# Waits up to $1 seconds for the old server to exit; records its status.
wait_exit() {
  wait_end=$(($(now) + $1))
  while alive "$SERVER_PID"; do
    [ "$(now)" -lt "$wait_end" ] || return 1
    # At most a second between looks, whatever the poll interval: a stop must not wait a poll.
    case $POLL in 0.* | .*) pause "$POLL" ;; *) pause 1 ;; esac
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

# Writes the marker atomically (temp file, then rename): the target image, then key=value lines.
# $1: why.
write_marker() {
  mkdir -p "$MARKER_DIR" || return 1
  marker_tmp=$MARKER.tmp.$$
  if printf '%s\nversion=%s\nreason=%s\nat=%s\npod-ip=%s\n' "$TARGET" "$TARGET_VERSION" "$1" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$POD_IP" > "$marker_tmp" &&
    mv -f "$marker_tmp" "$MARKER"; then
    return 0
  fi
  rm -f "$marker_tmp"
  return 1
}

# Whether two images are the same version: the same reference, or the same numeric version
# (cassandra:4.1.3, mirror.example/library/cassandra:4.1.3-jammy and ...@sha256:... are).
# $1 image, $2 its version, $3 image, $4 its version.
same_version() {
  [ "$1" != "$3" ] || return 0
  case $2 in '' | *[!0-9.]*) return 1 ;; esac
  case $4 in '' | *[!0-9.]*) return 1 ;; esac
  [ "$(version_cmp "$2" "$4")" = 0 ]
}

# The oldest and the newest SSTable format of each family on disk, one line each:
# "oldest|newest family version file". Every data directory is scanned (find_data_files).
# <version>-<generation>-<big|bti>-Data.db, and the legacy <ks>-<table>-<version>-<gen>-Data.db.
# Snapshots and backups are not loaded at start and do not count.
disk_formats() {
  find_data_files |
    awk '{
      n = split($0, path, "/"); f = path[n]; sub(/-Data\.db$/, "", f); k = split(f, p, "-")
      if (p[k] == "big" || p[k] == "bti") { fam = p[k]; ver = (k >= 3) ? p[k - 2] : "" } else { fam = "big"; ver = (k >= 2) ? p[k - 1] : "" }
      if (ver !~ /^[a-z][a-z]$/) next
      if (!(fam in hi) || ver > hi[fam]) { hi[fam] = ver; hifile[fam] = $0 }
      if (!(fam in lo) || ver < lo[fam]) { lo[fam] = ver; lofile[fam] = $0 }
    } END { for (fam in hi) { print "newest", fam, hi[fam], hifile[fam]; print "oldest", fam, lo[fam], lofile[fam] } }'
}

# Orders two SSTable format versions as Cassandra does (plain string order): prints -1, 0 or 1.
format_cmp() {
  if [ "$1" = "$2" ]; then echo 0
  elif [ "$(printf '%s\n%s\n' "$1" "$2" | LC_ALL=C sort | head -n 1)" = "$1" ]; then echo -1
  else echo 1
  fi
}

# Orders two dotted numeric versions, a missing part counting as 0 (4.1 = 4.1.0): -1, 0 or 1.
version_cmp() {
  awk -v a="$1" -v b="$2" 'BEGIN {
    na = split(a, x, "."); nb = split(b, y, "."); n = (na > nb) ? na : nb
    for (i = 1; i <= n; i++) {
      p = (i <= na) ? x[i] + 0 : 0; q = (i <= nb) ? y[i] + 0 : 0
      if (p < q) { print -1; exit }
      if (p > q) { print 1; exit }
    }
    print 0
  }'
}

# Refuses to go on when an image cannot read a format on disk: newer than the newest it reads,
# or older than the oldest. $1: which image ("the old image cassandra:4.1.3"), $2: its version,
# $3: what it reads ("big:ma..nb" or "big:ma..oa bti:da..da"), empty when unknown.
guard_formats() {
  [ -n "$ON_DISK" ] || return 0
  if [ -z "$3" ]; then
    log "cannot check the SSTable format on disk against $1: no format table for version '$2'"
    return 0
  fi
  while read -r g_end g_fam g_ver g_file; do
    [ -n "$g_fam" ] || continue
    g_range=
    for g_r in $3; do
      case $g_r in "$g_fam":*) g_range=$(printf '%s' "$g_r" | cut -d: -f2) ;; esac
    done
    if [ -z "$g_range" ]; then
      fail "REFUSED: the data holds SSTable format $g_fam $g_ver ($g_file), which $DATASTORE $2 ($1) does not read at all; it must not start on this data"
    fi
    g_oldest=$(printf '%s' "$g_range" | sed 's/[.][.].*//')
    g_newest=$(printf '%s' "$g_range" | sed 's/.*[.][.]//')
    if [ "$g_end" = newest ] && [ "$(format_cmp "$g_ver" "$g_newest")" = 1 ]; then
      fail "REFUSED: the data holds SSTable format $g_fam $g_ver ($g_file), newer than $DATASTORE $2 ($1) reads ($g_fam up to $g_newest); it must not start on this data"
    fi
    if [ "$g_end" = oldest ] && [ -n "$g_oldest" ] && [ "$(format_cmp "$g_ver" "$g_oldest")" = -1 ]; then
      fail "REFUSED: the data holds SSTable format $g_fam $g_ver ($g_file), older than $DATASTORE $2 ($1) reads ($g_fam from $g_oldest); it must not start on this data: rewrite it first with nodetool upgradesstables on a release that reads both"
    fi
  done << EOF
$ON_DISK
EOF
}

# Copies the old server's new output lines (it writes to $SERVER_LOG) to the container log.
SERVER_LINES=0
SERVER_LOG=
# Also called by fail(), so the old server's last lines (often the reason) are never lost.
show_server_output() {
  [ -n "$SERVER_LOG" ] && [ -f "$SERVER_LOG" ] || return 0
  so_total=$(wc -l < "$SERVER_LOG" | tr -d ' ')
  case $so_total in '' | *[!0-9]*) return 0 ;; esac
  [ "$so_total" -gt "$SERVER_LINES" ] || return 0
  sed -n "$((SERVER_LINES + 1)),$((so_total))p" "$SERVER_LOG"
  SERVER_LINES=$so_total
}

# True when the old server's output holds its own rejection of its configuration; sets REJECTED
# to the first such line, followed by the first "Caused by:" line after it, if any: Cassandra 5.0's
# "Invalid yaml: file:/etc/cassandra/cassandra.yaml" names only the file; the fault ("Caused by:
# Cannot create property=num_tokens ...") comes a few lines later, after the stack trace's head.
REJECTED=
server_rejected() {
  [ -n "$CONFIG_REJECTION" ] && [ -f "$SERVER_LOG" ] || return 1
  REJECTED=$(awk -v re="$CONFIG_REJECTION" '
    n == 0 && $0 ~ re { line = $0; n = 1; next }
    n > 0 && /^Caused by: / { line = line " (" $0 ")"; exit }
    n > 0 && ++n > 60 { exit }
    END { if (n > 0) printf "%s", line }' "$SERVER_LOG" 2> /dev/null | cut -c 1-600)
  [ -n "$REJECTED" ]
}

# One look at start-up. Sets GOSSIP_STATE; true once nodetool info answers with this node's host
# ID (SELF_ID) and does not say that gossip is still inactive: the JVM is up and the commit log
# replayed. Until then the start-up bound applies, after it the gossip timeout.
SELF_ID=
SELF_ADDR=
check_started() {
  if ! bounded "$CALL_WAIT" nodetool_run info; then
    fail_if_jmx_refused
    if [ "$CALL_STATUS" = 124 ]; then
      GOSSIP_STATE="nodetool info did not answer within $CALL_WAIT s"
    else
      GOSSIP_STATE="nodetool does not answer yet"
    fi
    return 1
  fi
  cs_id=$(sed -n 's/^ID[[:space:]]*:[[:space:]]*\([0-9A-Fa-f-]*\).*/\1/p' "$CALL_OUT" | head -n 1)
  if [ -z "$cs_id" ]; then
    GOSSIP_STATE="nodetool info shows no host ID yet"
    return 1
  fi
  if grep -Eiq '^Gossip active[[:space:]]*:[[:space:]]*false' "$CALL_OUT"; then
    GOSSIP_STATE="the old server is starting (gossip not active yet)"
    return 1
  fi
  SELF_ID=$cs_id
  log "this node's host ID is $SELF_ID"
  return 0
}

# One look at gossip. Sets GOSSIP_STATE; true when this node, known by the host ID that
# nodetool info reported, is UN in nodetool status (at whatever address it broadcasts) and
# every other listed node is UN (or there is none).
check_gossip() {
  if ! bounded "$CALL_WAIT" nodetool_run status; then
    fail_if_jmx_refused
    if [ "$CALL_STATUS" = 124 ]; then
      GOSSIP_STATE="nodetool status did not answer within $CALL_WAIT s"
    else
      GOSSIP_STATE="nodetool status does not answer yet"
    fi
    return 1
  fi
  status_out=$(cat "$CALL_OUT")
  self_state=
  peers=0
  not_up=
  while read -r st addr rest; do
    case $st in [UD?][NLJM]) ;; *) continue ;; esac
    case " $rest " in
      *" $SELF_ID "*) self_state=$st; SELF_ADDR=$addr; continue ;;
    esac
    peers=$((peers + 1))
    [ "$st" = UN ] || not_up="$not_up $addr=$st"
  done << EOF
$status_out
EOF
  if [ -z "$self_state" ]; then
    GOSSIP_STATE="this node (host ID $SELF_ID) is not in nodetool status yet"
    return 1
  fi
  at=$SELF_ADDR
  if [ -n "$POD_IP" ] && [ "$(ip_canon "$SELF_ADDR")" != "$(ip_canon "$POD_IP")" ]; then at="$SELF_ADDR (its broadcast address; the pod IP is $POD_IP)"; fi
  if [ "$self_state" != UN ]; then
    GOSSIP_STATE="this node is $self_state at $at, waiting for UN"
    return 1
  fi
  if [ -n "$not_up" ]; then
    GOSSIP_STATE="this node is UN at $at; waiting for peers:$not_up"
    return 1
  fi
  if [ "$peers" -eq 0 ]; then
    GOSSIP_STATE="this node is UN at $at and alone in its cluster"
  else
    GOSSIP_STATE="this node is UN at $at and all $peers peer(s) are UN"
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
  # As the webhook reads a tag: an optional v, up to four numbers, then only a flavour suffix.
  iv_version=$(printf '%s\\n' "$iv_tag" | sed -n 's/^v\\{0,1\\}\\([0-9][0-9]*\\(\\.[0-9][0-9]*\\)\\{0,3\\}\\)\\([-+_.][0-9A-Za-z.+_-]*\\)\\{0,1\\}$/\\1/p')
  if [ -n "$iv_version" ]; then echo "$iv_version"; else echo "$iv_tag"; fi
}
`;

const CHECKS = String.raw`
[ -n "$TARGET" ] || config_error "$ME needs the target image in GOSSIP_SAFE_TARGET_IMAGE"
is_count "$TIMEOUT" || config_error "timeout must be a whole number of seconds, got '$TIMEOUT'"
is_interval "$POLL" || config_error "poll interval must be a number of seconds, got '$POLL'"
is_count "$STABLE" || config_error "stable check count must be a whole number, got '$STABLE'"
is_count "$STOP_WAIT" || config_error "stop wait must be a whole number of seconds, got '$STOP_WAIT'"
is_count "$START_WAIT" || config_error "start-up bound (GOSSIP_SAFE_START_SECONDS) must be a whole number of seconds, got '$START_WAIT'"
is_count "$CALL_WAIT" || config_error "call bound (GOSSIP_SAFE_CALL_SECONDS) must be a whole number of seconds, got '$CALL_WAIT'"
[ -n "$TARGET_VERSION" ] || TARGET_VERSION=$(image_version "$TARGET")
[ -z "$SOURCE" ] || [ -n "$SOURCE_VERSION" ] || SOURCE_VERSION=$(image_version "$SOURCE")
`;

const FLOW = String.raw`
# Every data directory is scanned, whichever one holds the node's data: SSTables anywhere in
# them mean the node is not fresh, and each of them must be readable by what starts next.
ON_DISK=$(disk_formats)
if [ -n "$ON_DISK" ]; then
  log "SSTable formats on disk (oldest..newest): $(printf '%s\n' "$ON_DISK" | awk '$1 == "oldest" { lo[$2] = $3 } $1 == "newest" { hi[$2] = $3 } END { s = ""; for (f in hi) s = s (s == "" ? "" : ", ") f " " lo[f] ".." hi[f]; printf "%s", s }')"
  if [ "$FRESH" = yes ]; then
    log "SSTables found outside the data and commitlog directories of $DATA_DIR: not a fresh node"
    FRESH=no
  fi
fi
# The new version starts right after this container: it must read what is on disk.
guard_formats "the new image $TARGET" "$TARGET_VERSION" "$TARGET_FORMATS"
marked=
marked_version=
if [ -f "$MARKER" ]; then
  [ -r "$MARKER" ] || fail "cannot read the marker $MARKER"
  IFS= read -r marked < "$MARKER" || true
  marked_version=$(sed -n 's/^version=//p' "$MARKER" | head -n 1)
  [ -n "$marked_version" ] || marked_version=$(image_version "$marked")
fi
if [ -n "$marked" ] && same_version "$marked" "$marked_version" "$TARGET" "$TARGET_VERSION"; then
  log "marker $MARKER names $marked (version $marked_version), the version of $TARGET: node already migrated, nothing to do"
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
if [ -n "$marked" ] && [ -n "$SOURCE" ] && ! same_version "$marked" "$marked_version" "$SOURCE" "$SOURCE_VERSION"; then
  fail "REFUSED: the marker says this data was last prepared for $marked, but the old image to run is $SOURCE; set gossip-safe.io/migrate-from-image to $marked (or remove $MARKER if you are sure the data is from $SOURCE)"
fi
# The guard that holds without any marker: the old version must read every format on disk.
guard_formats "the old image $SOURCE" "$SOURCE_VERSION" "$SOURCE_FORMATS"

# From here on this run's own server log is shown (never a previous run's), and the output of
# each external call goes to CALL_OUT.
SERVER_LOG=$SERVER_LOG_FILE
CALL_OUT=$MARKER_DIR/call.out
if ! { mkdir -p "$MARKER_DIR" && : > "$SERVER_LOG"; }; then fail "cannot write the old server's log $SERVER_LOG"; fi
log "node has data in $DATA_DIR and no marker for $TARGET; starting the old version with client traffic off (start-up bound $START_WAIT s, then gossip timeout $TIMEOUT s; its output follows)"
start_server "$@"
log "old server started (pid $SERVER_PID); waiting for it to start up, then for gossip to accept this node"
start_deadline=$(($(now) + START_WAIT))
deadline=
stable=0
last_state=
while :; do
  show_server_output
  if server_rejected; then
    # Stopped first, so that the rest of its report (the cause) is in its output when read again.
    stop_hard
    server_rejected
    fail "the old server rejected its configuration: $REJECTED"
  fi
  if ! alive "$SERVER_PID"; then
    wait "$SERVER_PID" 2> /dev/null
    early_status=$?
    SERVER_PID=
    show_server_output
    if server_rejected; then fail "the old server rejected its configuration (exit status $early_status): $REJECTED"; fi
    fail "old server exited early (status $early_status) before gossip accepted this node"
  fi
  # Start-up first (its own bound), then the gossip timeout, counted from the end of start-up.
  if [ -z "$SELF_ID" ] && check_started; then deadline=$(($(now) + TIMEOUT)); fi
  if [ -n "$SELF_ID" ]; then
    if check_gossip; then stable=$((stable + 1)); else stable=0; fi
  fi
  if [ "$GOSSIP_STATE" != "$last_state" ]; then
    log "$GOSSIP_STATE"
    last_state=$GOSSIP_STATE
  fi
  [ "$stable" -lt "$STABLE" ] || break
  if [ -z "$SELF_ID" ]; then
    [ "$(now)" -lt "$start_deadline" ] || fail "timed out after $START_WAIT s waiting for the old server to start (JVM start and commit-log replay; ${ENV_START_SECONDS}) (last state: $GOSSIP_STATE)"
  else
    [ "$(now)" -lt "$deadline" ] || fail "timed out after $TIMEOUT s waiting for gossip to accept this node (last state: $GOSSIP_STATE)"
  fi
  pause "$POLL"
done

log "gossip accepted this node (host ID $SELF_ID) at $SELF_ADDR (stable over $STABLE checks); draining"
bounded "$STOP_WAIT" nodetool_run drain
drain_status=$CALL_STATUS
cat "$CALL_OUT" 2> /dev/null
show_server_output
[ "$drain_status" -ne 124 ] || fail "nodetool drain did not finish within $STOP_WAIT s (${ENV_STOP_SECONDS})"
[ "$drain_status" -eq 0 ] || fail "nodetool drain failed (status $drain_status)"
log "drained; stopping the old server"
stop_server
wait_exit "$STOP_WAIT" || fail "old server did not exit within $STOP_WAIT s of the stop"
show_server_output
log "old server exited (status $SERVER_STATUS)"
if bounded "$CALL_WAIT" nodetool_run status; then
  fail "the server still answers nodetool after its launcher exited"
fi
write_marker gossip-accepted || fail "cannot write the marker $MARKER"
log "marker written ($MARKER names $TARGET); exiting 0 so the main container starts the new version"
exit 0
`;

/**
 * The script's shared shell functions without its flow (what `buildScript` puts in every
 * script): tests source them to check them case by case against the TypeScript.
 * @internal Test seam: exported for the tests only (knip --production skips @internal).
 */
export function scriptFunctions(): string {
  return `set -u\nME=${PREMIGRATE_CONTAINER}\nDATASTORE=test\nCONFIG_REJECTION=\nPOLL=1\nSTOP_WAIT=5\nNODETOOL_OPTS=\nJMX_CREDENTIALS=\n${COMMON_FUNCTIONS}${EXPANSION_HELPERS}`;
}
