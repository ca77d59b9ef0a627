#!/usr/bin/env bash
# Measures the resident memory of the storage indexers (in memory and SQL)
# for generated indexes of several sizes. Two processes per measurement: an
# emulator-only registry that holds the index in its fake GCS server, and
# the measured registry that reads it through STORAGE_EMULATOR_HOST, so the
# emulator's copy of the index is not counted.
#
#   dev/storage/measure-memory.sh [VERSIONS...]     (default: 1000 10000)
#
# Prints one line per indexer and size: versions, RSS after start, RSS after
# 200 requests. Everything listens on 127.0.0.1 and is stopped at the end.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
[ -n "${KEEP_LOGS:-}" ] && trap "cat \"$work/reg.log\" \"$work/emu.log\" | tail -20; cleanup" EXIT

cd "$root"
go build -o "$work/registry" .
printf 'package_paths: []\n' > "$work/config.yml"
rss() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }
wait_health() { for _ in $(seq 1 600); do curl -sf "http://$1/health" >/dev/null && return 0; sleep 0.2; done; return 1; }

sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1000 10000)
printf '%-10s %9s %14s %14s\n' indexer versions rss_start_kb rss_load_kb
for n in "${sizes[@]}"; do
	pkgs=$((n / 10))
	go run ./dev/corpus -out "$work/corpus-$n" -packages "$pkgs" -versions 10 -seed 7 >/dev/null
	go run ./dev/storage/mkindex -o "$work/index-$n.json" "$work/corpus-$n" 2>/dev/null
	for mode in storage sql; do
		flag=-feature-storage-indexer
		[ "$mode" = sql ] && flag=-feature-sql-storage-indexer
		# The emulator process: its own registry on the index, emulator on port 18591.
		(cd "$work" && exec env EPR_EMULATOR_INDEX_PATH="$work/index-$n.json" STORAGE_EMULATOR_HOST=127.0.0.1:18591 \
			EPR_SQL_INDEXER_DATABASE_FOLDER_PATH="$work" "$work/registry" -config "$work/config.yml" \
			-address 127.0.0.1:18590 -feature-storage-indexer -storage-indexer-watch-interval 0 >"$work/emu.log" 2>&1) &
		emu=$!; pids+=("$emu")
		wait_health 127.0.0.1:18590
		mkdir -p "$work/db-$mode"
		(cd "$work" && exec env STORAGE_EMULATOR_HOST=127.0.0.1:18591 EPR_SQL_INDEXER_DATABASE_FOLDER_PATH="$work/db-$mode" \
			"$work/registry" -config "$work/config.yml" -address 127.0.0.1:18592 $flag \
			-storage-indexer-bucket-internal gs://fake-package-storage-internal \
			-storage-indexer-watch-interval 0 >"$work/reg.log" 2>&1) &
		reg=$!; pids+=("$reg")
		wait_health 127.0.0.1:18592
		sleep 1
		start=$(rss "$reg")
		for i in $(seq 1 50); do
			curl -s -o /dev/null "http://127.0.0.1:18592/search"
			curl -s -o /dev/null "http://127.0.0.1:18592/search?prerelease=true&kibana.version=8.12.0"
			curl -s -o /dev/null "http://127.0.0.1:18592/categories"
			curl -s -o /dev/null "http://127.0.0.1:18592/search?package=pkg000$((i % 10))_aws"
		done
		after=$(rss "$reg")
		printf '%-10s %9s %14s %14s\n' "$mode" "$n" "$start" "$after"
		kill "$reg" "$emu"; wait "$reg" "$emu" 2>/dev/null || true
	done
done
