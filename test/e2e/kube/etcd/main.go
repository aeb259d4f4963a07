// Command etcd is etcd's own server entry point (etcdmain), built from the etcd server module at
// the version k8s.io/kubernetes pins, so the e2e control plane uses an etcd its apiserver was
// released against.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() {
	etcdmain.Main(os.Args)
}
