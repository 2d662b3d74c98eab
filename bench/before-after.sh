#!/usr/bin/env bash
# One run, one machine: the bench on an earlier commit and on this checkout, interleaved, each in its own checkout
# with its own node_modules. Usage: bash bench/before-after.sh [COMMIT] (default a96d343, the last commit before #14).
# The earlier commit's bench knows fewer scenarios (speed, throughput, due, report, load, bundles; its "throughput"
# is this bench's "ratio"). Output: bench/results/before-after/{before,after}-{load,rest}.{out,err}.
set -euo pipefail
before=${1:-a96d343}
here=$(git rev-parse --show-toplevel)
out="$here/bench/results/before-after"
tree=$(mktemp -d /tmp/nurture-before-XXXXXX)
mkdir -p "$out"
git -C "$here" worktree add -q --detach "$tree" "$before"
trap 'git -C "$here" worktree remove --force "$tree"' EXIT
(cd "$tree" && npm ci --no-audit --no-fund >/dev/null 2>&1)
export BENCH_REPORT_LEADS=${BENCH_REPORT_LEADS:-100000}
run() { # dir name scenarios
  echo "$(date -u +%FT%TZ) $2: load average $(cut -d' ' -f1 /proc/loadavg)" | tee -a "$out/times.txt"
  (cd "$1" && npm run bench -- --only "$3" >"$out/$2.out" 2>"$out/$2.err")
}
run "$here" after-load load
run "$tree" before-load load
run "$here" after-rest speed,ratio,due,report,bundles,throughput,writes
run "$tree" before-rest speed,throughput,due,report,bundles
echo "$(date -u +%FT%TZ) done" | tee -a "$out/times.txt"
