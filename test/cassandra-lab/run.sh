#!/usr/bin/env bash
# `npm run lab:cassandra`: the lab under Jest, and the cleanup after it whatever happens
# (a failure, a timeout's SIGTERM, ^C), so no JVM, namespace or bridge outlives the run.
set -u
cd "$(dirname "$0")/../.."
here=test/cassandra-lab
jest_pid=
trap 'bash "$here/cleanup.sh"' EXIT
trap '[ -z "$jest_pid" ] || kill -TERM "$jest_pid" 2>/dev/null; exit 143' TERM
trap '[ -z "$jest_pid" ] || kill -TERM "$jest_pid" 2>/dev/null; exit 130' INT
node --experimental-vm-modules --no-warnings=ExperimentalWarning node_modules/jest/bin/jest.js \
  --config "$here/jest.config.js" --runInBand "$@" &
jest_pid=$!
wait "$jest_pid"
exit $?
