#!/usr/bin/env bash
# Builds the Pulumi toolchain the end-to-end tests (and you) run the local stack with, from Go
# modules only: nothing is downloaded at run time and no other project's source is committed.
#
#   pulumi                          CLI v3.248.0 (tools/pulumi/cli, the version of @pulumi/pulumi)
#   pulumi-language-nodejs          Node.js language host (tools/pulumi/language-nodejs; see there)
#   pulumi-resource-pulumi-nodejs   dynamic-provider plugin, copied from the npm package @pulumi/pulumi
#
# Into $EKS_UPGRADE_CACHE/pulumi-3.248.0/bin (default ~/.cache/eks-upgrade/...), reused when
# present. Needs Go >= 1.25. Cold: about 10-15 minutes on 2 cores and ~3.5 GB of Go caches; warm:
# seconds. A `pulumi` v3.248.0 already on PATH is used as it is.
#
# Prints the bin directory on its last line; `source <(...)` is not needed: tests find it by path.
set -euo pipefail
cd "$(dirname "$0")/.."

VERSION=3.248.0
CACHE="${EKS_UPGRADE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/eks-upgrade}"
BIN="$CACHE/pulumi-$VERSION/bin"
PLUGIN=node_modules/@pulumi/pulumi/pulumi-resource-pulumi-nodejs

if [ ! -f "$PLUGIN" ]; then
  echo "pulumi-install: run npm ci first ($PLUGIN is missing)" >&2
  exit 1
fi

if command -v pulumi >/dev/null 2>&1 && [ "$(pulumi version 2>/dev/null)" = "v$VERSION" ] &&
  [ "$(dirname "$(command -v pulumi)")" != "$BIN" ]; then
  echo "pulumi-install: using the Pulumi CLI v$VERSION on PATH ($(command -v pulumi))"
  dirname "$(command -v pulumi)"
  exit 0
fi

if ! command -v go >/dev/null 2>&1; then
  echo "pulumi-install: Go >= 1.25 is needed to build the Pulumi CLI v$VERSION (see README, 'Real Pulumi')" >&2
  exit 1
fi

mkdir -p "$BIN"
build() { # build <module dir> <package> <output> [ldflags]
  local out="$BIN/$3"
  if [ -x "$out" ]; then return; fi
  echo "pulumi-install: building $3 (cold: several minutes)" >&2
  local start=$SECONDS
  (cd "$2" && go build -mod=readonly -trimpath -ldflags "${4:-}" -o "$out.tmp" "$1")
  mv "$out.tmp" "$out"
  echo "pulumi-install: built $3 in $((SECONDS - start)) s" >&2
}
build github.com/pulumi/pulumi/pkg/v3/cmd/pulumi tools/pulumi/cli pulumi \
  "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$VERSION"
build github.com/pulumi/pulumi/sdk/v3/nodejs/cmd/pulumi-language-nodejs tools/pulumi/language-nodejs \
  pulumi-language-nodejs
cp "$PLUGIN" "$BIN/pulumi-resource-pulumi-nodejs"
chmod +x "$BIN/pulumi-resource-pulumi-nodejs"

test "$("$BIN/pulumi" version)" = "v$VERSION"
echo "pulumi-install: Pulumi CLI v$VERSION ready" >&2
echo "$BIN"
