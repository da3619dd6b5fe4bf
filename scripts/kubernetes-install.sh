#!/usr/bin/env bash
# Builds the Kubernetes control plane the emulator's Kubernetes mode runs, from Go modules only
# (tools/kubernetes): nothing is downloaded at run time and no other project's source is committed.
#
#   kube-apiserver, kube-controller-manager, kube-scheduler, kubectl   Kubernetes v1.36.3
#   etcd                                                                v3.6.8 (the one v1.36.3 pins)
#   kwok                                                                v0.8.0 (nodes and pods without kubelets)
#   kwok-stages/*.yaml                                                  kwok's own stage configs (from its module)
#
# Into $EKS_UPGRADE_CACHE/kubernetes-1.36.3/bin (default ~/.cache/eks-upgrade/...), reused when
# complete. Needs Go >= 1.26. Cold: about 12 minutes on 2 cores and ~3.7 GB of Go caches; warm:
# seconds. Prints the bin directory on its last line.
set -euo pipefail
cd "$(dirname "$0")/.."

VERSION=1.36.3
CACHE="${EKS_UPGRADE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/eks-upgrade}"
BIN="$CACHE/kubernetes-$VERSION/bin"
BINARIES=(kube-apiserver kube-controller-manager kube-scheduler kubectl etcd kwok)

if ! command -v go >/dev/null 2>&1; then
  echo "kubernetes-install: Go >= 1.26 is needed to build Kubernetes v$VERSION (see README)" >&2
  exit 1
fi

complete() {
  for b in "${BINARIES[@]}"; do [ -x "$BIN/$b" ] || return 1; done
  [ -f "$BIN/kwok-stages/pod-ready.yaml" ]
}

if ! complete; then
  mkdir -p "$BIN"
  echo "kubernetes-install: building Kubernetes v$VERSION, etcd and kwok (cold: about 12 minutes)" >&2
  start=$SECONDS
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  # The version the binaries report (k8s.io/kubernetes' own build sets it the same way).
  ldflags="-X k8s.io/component-base/version.gitVersion=v$VERSION -X k8s.io/component-base/version.gitMajor=1"
  ldflags="$ldflags -X k8s.io/component-base/version.gitMinor=${VERSION#1.} -X k8s.io/component-base/version.gitTreeState=clean"
  ldflags="$ldflags -X k8s.io/client-go/pkg/version.gitVersion=v$VERSION"
  (cd tools/kubernetes && go build -mod=readonly -trimpath -ldflags "$ldflags" -o "$tmp/" \
    k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager \
    k8s.io/kubernetes/cmd/kube-scheduler k8s.io/kubernetes/cmd/kubectl \
    go.etcd.io/etcd/server/v3 sigs.k8s.io/kwok/cmd/kwok)
  mv "$tmp/server" "$tmp/etcd" # etcd's main package is go.etcd.io/etcd/server/v3
  # kwok's stage configs (which Node and Pod transitions it plays) ship in its module.
  kwok_dir="$(cd tools/kubernetes && go list -mod=readonly -m -f '{{.Dir}}' sigs.k8s.io/kwok)"
  mkdir -p "$tmp/kwok-stages"
  for stage in node/fast/node-initialize node/heartbeat-with-lease/node-heartbeat-with-lease \
    pod/fast/pod-ready pod/fast/pod-complete pod/fast/pod-delete; do
    cp "$kwok_dir/kustomize/stage/$stage.yaml" "$tmp/kwok-stages/"
  done
  rm -rf "$BIN"
  mkdir -p "$(dirname "$BIN")"
  mv "$tmp" "$BIN"
  trap - EXIT
  chmod 755 "$BIN"
  echo "kubernetes-install: built in $((SECONDS - start)) s" >&2
fi

"$BIN/kube-apiserver" --version | grep -q "v$VERSION" || {
  echo "kubernetes-install: $BIN/kube-apiserver does not report v$VERSION" >&2
  exit 1
}
echo "kubernetes-install: Kubernetes v$VERSION control plane ready" >&2
echo "$BIN"
