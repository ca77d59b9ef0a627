#!/usr/bin/env bash
# Rebuilds the bundled sample packages (testdata/local-storage/*.zip) from
# testdata/sample-src and signs each zip with a detached, ASCII-armored
# OpenPGP signature (<zip>.sig), the format Kibana Fleet verifies.
#
# The signing key is a throwaway key made for the samples; its public half
# is written to testdata/sample-signing-key.asc so the signatures can be
# checked:  gpg --import testdata/sample-signing-key.asc && gpg --verify x.zip.sig x.zip
# Set SAMPLES_GNUPGHOME to sign with the key of an existing GnuPG home instead.
set -euo pipefail
cd "$(dirname "$0")/.."

go run ./dev/samples -src testdata/sample-src -out testdata/local-storage >/dev/null

home=${SAMPLES_GNUPGHOME:-}
if [ -z "$home" ]; then
	home=$(mktemp -d)
	trap 'rm -rf "$home"' EXIT
	gpg --homedir "$home" --batch --passphrase '' --quick-gen-key \
		'package-registry samples <samples@package-registry.invalid>' ed25519 sign never 2>/dev/null
	gpg --homedir "$home" --armor --export > testdata/sample-signing-key.asc
fi
for z in testdata/local-storage/*.zip; do
	rm -f "$z.sig"
	gpg --homedir "$home" --batch --armor --detach-sign --output "$z.sig" "$z"
done
ls testdata/local-storage
