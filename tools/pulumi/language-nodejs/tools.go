//go:build tools

// Package tools pins the Pulumi Node.js language host this project builds from Go modules.
// Since v3.69 the host is its own module, which the Go module proxy does not serve; v3.68.0 of
// the SDK is the newest that carries it, and it runs preview/up/refresh/destroy with CLI 3.248.
package tools

import _ "github.com/pulumi/pulumi/sdk/v3/nodejs/cmd/pulumi-language-nodejs"
