#!/usr/bin/env bash
# The suite on a busy machine (issue 24, part 6): one core kept busy by another process while the
# README's test command runs three times in a row. Prints each run's result and time; exits 0
# only when all three pass.
#
#   scripts/busy_suite.sh [RUNS]          (from the repository root; default 3 runs)
#
# The burner is a plain Python loop at normal priority (it takes one core, as another user's job
# would). Like .ci/run, the command runs word for word from the README in a fresh copy of the
# committed checkout, so a fresh virtual environment is made once and reused by the later runs.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
runs=${1:-3}
cmd=$(grep -m1 -E '^python3 -m venv \.venv && .* -m pytest' "$root/README.md")
if [[ -z "$cmd" ]]; then
    echo "busy_suite: no test command found in README.md" >&2
    exit 1
fi
pytest_cmd=${cmd##*&& }  # the last part: the pytest run itself
work=$(mktemp -d)
python3 -c "while True: pass" &
burner=$!
trap 'kill "$burner" 2>/dev/null; rm -rf "$work"' EXIT
(cd "$root" && git ls-files -z | xargs -0 cp --parents -t "$work")
cd "$work"
echo "busy_suite: burner pid $burner on one core; $(nproc) cores; $runs runs of: $pytest_cmd"
started=$(date +%s)
if ! eval "${cmd% && *}" >"$work/install.log" 2>&1; then  # the environment, as the README says
    cat "$work/install.log" >&2
    exit 1
fi
echo "environment made in $(($(date +%s) - started)) s"
failed=0
for i in $(seq 1 "$runs"); do
    started=$(date +%s)
    eval "$pytest_cmd" >"$work/run$i.log" 2>&1
    status=$?
    seconds=$(($(date +%s) - started))
    summary=$(grep -E '^(=+ )?[0-9]+ (passed|failed)|(passed|failed|error).* in [0-9.]+s' \
        "$work/run$i.log" | tail -1)
    echo "run $i: exit $status in ${seconds} s, load $(cut -d' ' -f1 /proc/loadavg): $summary"
    if [[ $status -ne 0 ]]; then
        failed=1
        grep -E '^(FAILED|ERROR) ' "$work/run$i.log" | sed 's/^/    /'
        cp "$work/run$i.log" "/tmp/busy_suite_run$i.log"
        echo "    (the whole log: /tmp/busy_suite_run$i.log)"
    fi
done
exit $failed
