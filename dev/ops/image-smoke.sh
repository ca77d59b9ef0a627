#!/usr/bin/env bash
# Runs the container image's steps as plain commands, for machines without a
# Docker engine (and for the tests, dev/ops/image_test.go):
#
#   1. builder stage: the static binary (CGO_ENABLED=0, -trimpath -ldflags=-s);
#   2. runner stage: a temporary root laid out like the image,
#        <root>/package-registry/package-registry
#        <root>/package-registry/config.yml      (config.docker.yml)
#        <root>/packages/package-registry/      (the "mounted" packages)
#      config.docker.yml's /packages/package-registry is pointed at
#      <root>/packages/package-registry, nothing else is changed;
#   3. ENTRYPOINT ./package-registry from WORKDIR /package-registry with the
#      image's ENV (and as the image's USER when run by root), then the
#      Dockerfile's own HEALTHCHECK command until it passes (1 s interval,
#      30 retries), then GET /search.
#
# Usage: dev/ops/image-smoke.sh [-p packages] [-a address] [-k] [-- registry args]
#   -p  folder to mount as /packages/package-registry (default testdata/local-storage)
#   -a  listen address, like `docker run -e EPR_ADDRESS=...` (default 127.0.0.1:8080)
#   -k  keep the registry running (Ctrl-C stops it) instead of stopping after the checks
# Environment: any EPR_* variable is passed on, as with `docker run -e`.
set -euo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd)
packages="$repo/testdata/local-storage"
address=127.0.0.1:8080
keep=0
while getopts "p:a:kh" opt; do
	case $opt in
	p) packages=$(cd "$OPTARG" && pwd) ;;
	a) address=$OPTARG ;;
	k) keep=1 ;;
	*) sed -n '2,21p' "$0"; exit 2 ;;
	esac
done
shift $((OPTIND - 1))

root=$(mktemp -d)
pid=""
cleanup() {
	if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
	rm -rf "$root"
}
trap cleanup EXIT

# 1. Builder stage.
echo "image-smoke: building the static binary"
(cd "$repo" && CGO_ENABLED=0 go build -trimpath -ldflags=-s -o "$root/package-registry/package-registry" .)
if ! go version -m "$root/package-registry/package-registry" | grep -q 'CGO_ENABLED=0'; then
	echo "image-smoke: the binary is not a CGO_ENABLED=0 build" >&2
	exit 1
fi

# 2. Runner stage layout.
mkdir -p "$root/packages/package-registry"
sed "s#/packages/package-registry#$root/packages/package-registry#g" \
	"$repo/config.docker.yml" >"$root/package-registry/config.yml"
cp -R "$packages/." "$root/packages/package-registry/"

# The image's ENV (EPR_ADDRESS=0.0.0.0:8080), overridden by -a as with
# `docker run -e EPR_ADDRESS=...`.
export EPR_ADDRESS=$address

# The HEALTHCHECK command exactly as the Dockerfile has it (continuation
# lines joined), run by /bin/sh like Docker's shell form.
healthcheck=$(awk '
	/^HEALTHCHECK/ { on = 1 }
	on { line = line $0; if ($0 !~ /\\$/) { print line; exit } }
' "$repo/Dockerfile" | sed -e 's/\\//g' -e 's/^.* CMD //')
if [ -z "$healthcheck" ]; then
	echo "image-smoke: no HEALTHCHECK in the Dockerfile" >&2
	exit 1
fi

# The image's USER (the last one in the Dockerfile). Only root can switch
# to it; anyone else runs the registry as themselves.
user=$(awk '$1 == "USER" { u = $2 } END { print u }' "$repo/Dockerfile")
as_user=()
if [ "$(id -u)" = 0 ] && [ -n "$user" ] && [ "$user" != root ] && [ "$user" != 0 ] &&
	command -v setpriv >/dev/null; then
	# The temporary root must be readable by that user, as mounted
	# packages must be in a container.
	chmod -R a+rX "$root"
	as_user=(setpriv --reuid="$user" --regid="$user" --clear-groups)
fi

# 3. ENTRYPOINT ["./package-registry"] in WORKDIR /package-registry.
echo "image-smoke: starting ./package-registry $* (EPR_ADDRESS=$EPR_ADDRESS)"
(cd "$root/package-registry" && exec "${as_user[@]}" ./package-registry "$@") &
pid=$!
echo "image-smoke: registry pid $pid"

healthy=0
for _ in $(seq 30); do
	if ! kill -0 "$pid" 2>/dev/null; then
		echo "image-smoke: the registry exited" >&2
		exit 1
	fi
	if sh -c "$healthcheck" >/dev/null 2>&1; then
		healthy=1
		break
	fi
	sleep 1
done
if [ "$healthy" != 1 ]; then
	echo "image-smoke: unhealthy after 30 checks" >&2
	exit 1
fi
echo "image-smoke: health: ok"

scheme=http
if [ -n "${EPR_TLS_CERT:-}" ] && [ -n "${EPR_TLS_KEY:-}" ]; then scheme=https; fi
search=$(curl --silent --fail --insecure "$scheme://$address/search")
echo "image-smoke: search: $(printf '%s' "$search" | grep -c '"download"') packages"
printf '%s\n' "$search"

if [ "$keep" = 1 ]; then
	echo "image-smoke: serving on $address; Ctrl-C stops"
	wait "$pid"
fi
