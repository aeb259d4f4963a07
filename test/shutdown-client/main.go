// Command shutdown-client is the keep-alive client of the graceful-shutdown test
// (test/shutdown.test.ts): Go's net/http, the library the kube-apiserver's webhook client is built
// on, so the server meets the same connection reuse and the same (absent) retry of a POST that was
// written on a reused connection and then reset.
//
// It opens -conns keep-alive connections and sends the review in -body on each, one request at a
// time per connection, until a line arrives on stdin. Then it lets the requests in flight finish
// and prints one JSON summary line: how many were sent, answered 200, and failed (with the first
// errors). "warm" is printed once every connection has had an answer.
package main

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

type summary struct {
	Sent   int64    `json:"sent"`
	OK     int64    `json:"ok"`
	Failed int64    `json:"failed"`
	Errors []string `json:"errors"`
	Closed int64    `json:"closedByServer"`
}

func main() {
	url := flag.String("url", "", "review URL, e.g. https://127.0.0.1:8443/mutate")
	caFile := flag.String("ca", "", "CA certificate (PEM) that signed the server's certificate")
	bodyFile := flag.String("body", "", "AdmissionReview JSON to send")
	conns := flag.Int("conns", 32, "keep-alive connections (one request at a time on each)")
	serverName := flag.String("servername", "localhost", "TLS server name")
	limit := flag.Duration("max", 60*time.Second, "stop after this long even without a stop line")
	flag.Parse()

	ca, err := os.ReadFile(*caFile)
	must(err)
	body, err := os.ReadFile(*bodyFile)
	must(err)
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(ca) {
		must(fmt.Errorf("%s holds no PEM certificate", *caFile))
	}
	var closed atomic.Int64
	transport := &http.Transport{
		TLSClientConfig:     &tls.Config{RootCAs: pool, ServerName: *serverName},
		MaxIdleConnsPerHost: *conns,
		MaxConnsPerHost:     *conns,
		IdleConnTimeout:     90 * time.Second, // the apiserver's
	}
	client := &http.Client{Transport: transport, Timeout: 30 * time.Second}

	var stop atomic.Bool
	go func() {
		_, _ = bufio.NewReader(os.Stdin).ReadString('\n')
		stop.Store(true)
	}()
	deadline := time.Now().Add(*limit)

	var s summary
	var mu sync.Mutex
	var wg sync.WaitGroup
	var warm sync.WaitGroup
	warm.Add(*conns)
	go func() {
		warm.Wait()
		fmt.Println("warm")
	}()
	for i := 0; i < *conns; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			first := true
			for !stop.Load() && time.Now().Before(deadline) {
				atomic.AddInt64(&s.Sent, 1)
				req, err := http.NewRequest(http.MethodPost, *url, bytes.NewReader(body))
				must(err)
				req.Header.Set("Content-Type", "application/json")
				res, err := client.Do(req)
				if err == nil {
					_, err = io.Copy(io.Discard, res.Body)
					res.Body.Close()
					if err == nil && res.StatusCode != http.StatusOK {
						err = fmt.Errorf("status %d", res.StatusCode)
					}
					if res.Close { // "Connection: close": the next request goes on a new connection
						closed.Add(1)
					}
				}
				if err != nil {
					atomic.AddInt64(&s.Failed, 1)
					mu.Lock()
					if len(s.Errors) < 10 {
						s.Errors = append(s.Errors, err.Error())
					}
					mu.Unlock()
				} else {
					atomic.AddInt64(&s.OK, 1)
				}
				if first {
					first = false
					warm.Done()
				}
			}
		}()
	}
	wg.Wait()
	s.Closed = closed.Load()
	out, err := json.Marshal(s)
	must(err)
	fmt.Println(string(out))
}

func must(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "shutdown-client:", err)
		os.Exit(2)
	}
}
