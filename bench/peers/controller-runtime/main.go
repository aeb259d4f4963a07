// The webhook a user would write instead of gossip-safe, for the benchmark (bench/run.ts): a Go
// program on controller-runtime's webhook server and admission package that performs the same
// injection on a Cassandra pod as gossip-safe's cassandra profile (identity env, nodetool drain
// preStop, grace period raised to 120 s, the gossip-safe.io/status annotation) and answers with
// the patch controller-runtime derives from the mutated pod (admission.PatchResponseFromRaw).
//
// It is written the way its users write one: typed corev1.Pod, the admission.Decoder, the
// webhook.Server with its certificate watcher and request metrics, zap logging at info (no line
// per admission, as controller-runtime logs requests only at debug verbosity). It knows only the
// one profile the benchmark needs: images whose last path segment is "cassandra".
//
//	controller-runtime-peer --cert tls.crt --key tls.key [--host 127.0.0.1] [--port 0]
//
// Prints {"port": N} on stdout once it answers TLS; exits 0 on SIGTERM after draining.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/pprof"
	"strings"
	"syscall"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
	"sigs.k8s.io/controller-runtime/pkg/webhook"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"
)

const (
	statusAnnotation = "gossip-safe.io/status"
	// The version gossip-safe writes into its status annotation (package.json), so that the
	// resulting pods are identical; the benchmark passes the real one with --version.
	defaultVersion  = "0.1.0"
	minGraceSeconds = int64(120)
	defaultGrace    = int64(30)
)

var leaveCommand = []string{"nodetool", "drain"}

// identityFields are appended in this order when missing, as gossip-safe does.
var identityFields = [][2]string{
	{"POD_UID", "metadata.uid"},
	{"POD_NAME", "metadata.name"},
	{"POD_NAMESPACE", "metadata.namespace"},
	{"POD_IP", "status.podIP"},
}

type injectionStatus struct {
	Version   string   `json:"version"`
	Profile   string   `json:"profile"`
	Container string   `json:"container"`
	Injected  []string `json:"injected"`
}

type podInjector struct {
	decoder admission.Decoder
	version string
}

// isCassandra: the image's repository path ends with the segment "cassandra" (any registry, any tag or digest).
func isCassandra(image string) bool {
	repo := image
	if i := strings.Index(repo, "@"); i >= 0 {
		repo = repo[:i]
	}
	if i := strings.LastIndex(repo, ":"); i > strings.LastIndex(repo, "/") {
		repo = repo[:i]
	}
	return repo[strings.LastIndex(repo, "/")+1:] == "cassandra"
}

// mutate changes pod in place and reports what it injected and the warnings, in gossip-safe's order.
func mutate(pod *corev1.Pod, version string) (injected []string, warnings []string) {
	if _, done := pod.Annotations[statusAnnotation]; done {
		return nil, nil
	}
	idx := -1
	for i := range pod.Spec.Containers {
		if isCassandra(pod.Spec.Containers[i].Image) {
			idx = i
			break
		}
	}
	if idx < 0 {
		return nil, nil
	}
	c := &pod.Spec.Containers[idx]
	have := map[string]bool{}
	for _, e := range c.Env {
		have[e.Name] = true
	}
	for _, f := range identityFields {
		if have[f[0]] {
			continue
		}
		c.Env = append(c.Env, corev1.EnvVar{Name: f[0], ValueFrom: &corev1.EnvVarSource{FieldRef: &corev1.ObjectFieldSelector{APIVersion: "v1", FieldPath: f[1]}}})
		injected = append(injected, "env:"+f[0])
	}
	if c.Lifecycle == nil || c.Lifecycle.PreStop == nil {
		if c.Lifecycle == nil {
			c.Lifecycle = &corev1.Lifecycle{}
		}
		c.Lifecycle.PreStop = &corev1.LifecycleHandler{Exec: &corev1.ExecAction{Command: append([]string(nil), leaveCommand...)}}
		injected = append(injected, "preStop")
	}
	grace := defaultGrace
	if pod.Spec.TerminationGracePeriodSeconds != nil {
		grace = *pod.Spec.TerminationGracePeriodSeconds
	}
	if grace < minGraceSeconds {
		g := minGraceSeconds
		pod.Spec.TerminationGracePeriodSeconds = &g
		injected = append(injected, "terminationGracePeriodSeconds")
		warnings = append(warnings, fmt.Sprintf("gossip-safe: terminationGracePeriodSeconds raised from %d to %d (cassandra minimum)", grace, minGraceSeconds))
	}
	if len(injected) == 0 {
		return nil, warnings
	}
	status, _ := json.Marshal(injectionStatus{Version: version, Profile: "cassandra", Container: c.Name, Injected: injected})
	if pod.Annotations == nil {
		pod.Annotations = map[string]string{}
	}
	pod.Annotations[statusAnnotation] = string(status)
	return injected, warnings
}

func (h *podInjector) Handle(_ context.Context, req admission.Request) admission.Response {
	if req.Kind.Kind != "Pod" || req.Operation != "CREATE" {
		return admission.Allowed("")
	}
	pod := &corev1.Pod{}
	if err := h.decoder.Decode(req, pod); err != nil {
		return admission.Errored(http.StatusBadRequest, err)
	}
	// Diff typed-before against typed-after, not the raw request against typed-after: the typed
	// round trip drops fields (e.g. "creationTimestamp": null), and diffing against the raw body
	// would add "remove" operations for them that have nothing to do with the injection.
	before, err := json.Marshal(pod)
	if err != nil {
		return admission.Errored(http.StatusInternalServerError, err)
	}
	injected, warnings := mutate(pod, h.version)
	if len(injected) == 0 {
		return admission.Allowed("").WithWarnings(warnings...)
	}
	after, err := json.Marshal(pod)
	if err != nil {
		return admission.Errored(http.StatusInternalServerError, err)
	}
	return admission.PatchResponseFromRaw(before, after).WithWarnings(warnings...)
}

// freePort asks the kernel for a free port on host; webhook.Server has no "port 0" of its own.
func freePort(host string) (int, error) {
	l, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func main() {
	cert := flag.String("cert", "", "serving certificate, PEM")
	key := flag.String("key", "", "its private key, PEM")
	host := flag.String("host", "127.0.0.1", "address to listen on")
	port := flag.Int("port", 0, "port (0: a free one)")
	version := flag.String("version", defaultVersion, "version written into the status annotation")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile (go tool pprof) here until SIGTERM")
	flag.Parse()
	if *cert == "" || *key == "" {
		fmt.Fprintln(os.Stderr, "usage: controller-runtime-peer --cert FILE --key FILE [--host H] [--port N]")
		os.Exit(64)
	}
	ctrl.SetLogger(zap.New(zap.UseDevMode(false)))
	log := ctrl.Log.WithName("peer")

	p := *port
	if p == 0 {
		var err error
		if p, err = freePort(*host); err != nil {
			fmt.Fprintf(os.Stderr, "controller-runtime-peer: no free port on %s: %v\n", *host, err)
			os.Exit(1)
		}
	}
	certDir, certName := filepath.Split(*cert)
	keyDir, keyName := filepath.Split(*key)
	if filepath.Clean(certDir) != filepath.Clean(keyDir) {
		fmt.Fprintln(os.Stderr, "controller-runtime-peer: --cert and --key must be in one directory (webhook.Server's CertDir)")
		os.Exit(64)
	}
	server := webhook.NewServer(webhook.Options{Host: *host, Port: p, CertDir: certDir, CertName: certName, KeyName: keyName})
	// The scheme a manager would have (client-go's types), as in controller-runtime's own examples.
	scheme := runtime.NewScheme()
	if err := clientgoscheme.AddToScheme(scheme); err != nil {
		fmt.Fprintf(os.Stderr, "controller-runtime-peer: scheme: %v\n", err)
		os.Exit(1)
	}
	server.Register("/mutate", &admission.Webhook{Handler: &podInjector{decoder: admission.NewDecoder(scheme), version: *version}})

	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err == nil {
			err = pprof.StartCPUProfile(f)
		}
		if err != nil {
			fmt.Fprintf(os.Stderr, "controller-runtime-peer: --cpuprofile: %v\n", err)
			os.Exit(1)
		}
		defer pprof.StopCPUProfile()
	}

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	errc := make(chan error, 1)
	go func() { errc <- server.Start(ctx) }()

	// Announce the port once the server answers TLS (its own started-checker dials it).
	started := server.StartedChecker()
	deadline := time.Now().Add(20 * time.Second)
	for started(nil) != nil {
		select {
		case err := <-errc:
			fmt.Fprintf(os.Stderr, "controller-runtime-peer: server failed to start: %v\n", err)
			os.Exit(1)
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			fmt.Fprintln(os.Stderr, "controller-runtime-peer: not serving after 20 s")
			os.Exit(1)
		}
	}
	fmt.Printf("{\"port\":%d}\n", p)
	log.Info("serving", "port", p)
	if err := <-errc; err != nil {
		fmt.Fprintf(os.Stderr, "controller-runtime-peer: %v\n", err)
		pprof.StopCPUProfile()
		os.Exit(1)
	}
}
