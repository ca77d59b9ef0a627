#!/usr/bin/env bash
# Runs every fuzz target of the repository for a fixed time, one after the
# other, on one worker each (the seed corpora alone run with `go test ./...`).
#
#   dev/fuzz.sh                 # 10s per target
#   dev/fuzz.sh 5m              # longer
#   dev/fuzz.sh 30s FuzzZip     # only the targets whose name matches
#
# A failing input is written to <package>/testdata/fuzz/<Target>/ by go
# test; commit it with the fix, it then runs as a regression test.
set -euo pipefail
cd "$(dirname "$0")/.."
fuzztime=${1:-10s}
filter=${2:-}

status=0
while IFS=: read -r file target; do
	[[ -n "$filter" && "$target" != *"$filter"* ]] && continue
	pkg=$(dirname "$file") # ./<package>
	echo "==== $target ($pkg, $fuzztime)"
	# Minimising every new input for the default 60s would take most of a
	# short run; 20 executions is enough to keep the corpus small.
	if ! go test -run='^$' -fuzz="^${target}\$" -fuzztime="$fuzztime" \
		-fuzzminimizetime=20x -parallel=1 "$pkg" 2>&1 | grep -v '^fuzz: elapsed'; then
		status=1
	fi
done < <(find . -name '*_fuzz_test.go' -not -path './.git/*' | sort |
	xargs grep -o '^func Fuzz[A-Za-z0-9_]*' | sed 's/func //')
exit "$status"
