#!/usr/bin/env bash
# Starts the registry on a Package Storage v2 index served by the in-process
# fake GCS server (EPR_EMULATOR_INDEX_PATH). See docs/storage_indexers.md.
#
#   dev/run-storage.sh [options] INDEX.json|PACKAGES_DIR [-- extra registry flags]
#
# A directory is turned into an index with dev/storage/mkindex first.
set -euo pipefail

usage() {
	cat >&2 <<'USAGE'
usage: dev/run-storage.sh [options] INDEX.json|PACKAGES_DIR [-- registry flags]
  -s            SQL storage indexer instead of the in-memory one
  -C            enable the search and categories caches (with -s)
  -I            incremental updates (in-memory indexer only)
  -a ADDR       registry address (default localhost:8080)
  -g HOST:PORT  fake GCS server address, STORAGE_EMULATOR_HOST (default 127.0.0.1:4443)
  -e URL        -storage-endpoint for artifacts and static files (default: upstream's)
  -w DURATION   -storage-indexer-watch-interval (default 10s)
  -d            debug logging
  -c CONFIG     config file (default: one with no package_paths)
USAGE
	exit 2
}

root=$(cd "$(dirname "$0")/.." && pwd)
indexer=-feature-storage-indexer
extra=()
address=localhost:8080
gcs_host=${STORAGE_EMULATOR_HOST:-127.0.0.1:4443}
interval=10s
config=""
while getopts "sCIa:g:e:w:dc:h" opt; do
	case $opt in
	s) indexer=-feature-sql-storage-indexer ;;
	C) extra+=(-feature-enable-search-cache -feature-enable-categories-cache) ;;
	I) extra+=(-feature-incremental-updates) ;;
	a) address=$OPTARG ;;
	g) gcs_host=$OPTARG ;;
	e) extra+=(-storage-endpoint "$OPTARG") ;;
	w) interval=$OPTARG ;;
	d) extra+=(-log-level debug -log-type dev) ;;
	c) config=$OPTARG ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
[ $# -ge 1 ] || usage
source=$1
shift
[ "${1:-}" = "--" ] && shift

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if [ -d "$source" ]; then
	index="$work/search-index-all.json"
	(cd "$root" && go run ./dev/storage/mkindex -disable-package-validation -o "$index" "$(cd "$source" && pwd)")
else
	index=$(cd "$(dirname "$source")" && pwd)/$(basename "$source")
fi
if [ -z "$config" ]; then
	config="$work/config.yml"
	echo "package_paths: []" >"$config"
fi

mkdir -p "$work/db"
echo "Fake GCS server: http://$gcs_host (publish revisions with dev/storage/publish.sh -e http://$gcs_host)" >&2
cd "$root"
EPR_EMULATOR_INDEX_PATH="$index" \
	STORAGE_EMULATOR_HOST="$gcs_host" \
	EPR_SQL_INDEXER_DATABASE_FOLDER_PATH="$work/db" \
	go run . -address "$address" -config "$config" "$indexer" \
	-storage-indexer-watch-interval "$interval" "${extra[@]}" "$@"
