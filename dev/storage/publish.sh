#!/usr/bin/env bash
# Publishes a new revision to a running fake GCS server (the registry's
# in-process emulator started by dev/run-storage.sh): uploads FILE as
# v2/metadata/<cursor>/search-index-all.json (or search-index-delta.json with
# -d), then points v2/metadata/cursor.json at it. See docs/storage_indexers.md.
#
#   dev/storage/publish.sh [-e URL] [-b BUCKET] [-d] CURSOR FILE
set -euo pipefail

endpoint=http://127.0.0.1:4443
bucket=fake-package-storage-internal
kind=search-index-all.json
while getopts "e:b:dh" opt; do
	case $opt in
	e) endpoint=$OPTARG ;;
	b) bucket=$OPTARG ;;
	d) kind=search-index-delta.json ;;
	*)
		echo "usage: $0 [-e URL] [-b BUCKET] [-d] CURSOR FILE" >&2
		exit 2
		;;
	esac
done
shift $((OPTIND - 1))
if [ $# -ne 2 ]; then
	echo "usage: $0 [-e URL] [-b BUCKET] [-d] CURSOR FILE" >&2
	exit 2
fi
cursor=$1
file=$2

upload() { # object-name data (curl --data-binary syntax: @file or text)
	curl -fsS -o /dev/null -X POST -H 'Content-Type: application/json' --data-binary "$2" \
		"$endpoint/upload/storage/v1/b/$bucket/o?uploadType=media&name=$(printf %s "$1" | sed 's|/|%2F|g')"
}

upload "v2/metadata/$cursor/$kind" "@$file"
upload "v2/metadata/cursor.json" "{\"current\":\"$cursor\"}"
echo "published revision $cursor ($kind)" >&2
