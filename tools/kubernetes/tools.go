//go:build tools

// Package tools pins the Kubernetes control plane the emulator's Kubernetes mode runs: the API
// server, controller manager and scheduler of Kubernetes v1.36.3, kubectl, the etcd those pin,
// and kwok, which plays the kubelets.
package tools

import (
	_ "go.etcd.io/etcd/server/v3"
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
	_ "k8s.io/kubernetes/cmd/kube-scheduler"
	_ "k8s.io/kubernetes/cmd/kubectl"
	_ "sigs.k8s.io/kwok/cmd/kwok"
)
