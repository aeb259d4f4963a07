// Command memberlist-lab-app is the memberlist lab's stand-in for a user's memberlist-based
// application: a real github.com/hashicorp/memberlist node and nothing else. It is what such an
// app does with gossip-safe's memberlist profile:
//
//   - its node name is GOSSIP_NODE_NAME (injected by gossip-safe), else the hostname;
//   - on SIGTERM (what the kubelet sends; the profile injects no exec preStop) it leaves the
//     cluster and waits up to -leave-timeout for the leave to be sent, then exits 0.
//
// So the lab can read its membership, it serves GET /members on -http (a loopback address): a
// JSON list of every node it has heard of and its last state (alive, suspect, dead, left), from
// memberlist's own events. It prints "memberlist app running: <name>" once it has joined.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
	"unsafe"

	"github.com/hashicorp/memberlist"
)

// member is one line of GET /members.
type member struct {
	Name  string `json:"name"`
	Addr  string `json:"addr"`
	State string `json:"state"`
}

// events records the last state memberlist reported for every node.
type events struct {
	mu    sync.Mutex
	nodes map[string]member
}

func stateName(s memberlist.NodeStateType) string {
	switch s {
	case memberlist.StateAlive:
		return "alive"
	case memberlist.StateSuspect:
		return "suspect"
	case memberlist.StateDead:
		return "dead"
	case memberlist.StateLeft:
		return "left"
	}
	return "unknown"
}

// nodeState mirrors memberlist v0.7.0's internal nodeState, whose first field is the Node that
// memberlist hands to the event delegate and returns from Members(). memberlist keeps a node's
// current state (alive, suspect, dead, left) in nodeState.State and never updates Node.State, so
// Node.State alone says "alive" for every node. The lab must tell "left" (the node said goodbye;
// its name is free at once) from "dead" (it vanished), so it reads the real field through this
// mirror. The layout is pinned by go.mod; the lab's graceful-stop and crash cases fail if it is
// ever wrong (peers would show neither "left" nor "dead").
type nodeState struct {
	memberlist.Node
	Incarnation uint32
	State       memberlist.NodeStateType
	StateChange time.Time
}

func currentState(n *memberlist.Node) memberlist.NodeStateType {
	return (*nodeState)(unsafe.Pointer(n)).State
}

func (e *events) set(n *memberlist.Node) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.nodes[n.Name] = member{Name: n.Name, Addr: net.JoinHostPort(n.Addr.String(), strconv.Itoa(int(n.Port))), State: stateName(currentState(n))}
}

func (e *events) NotifyJoin(n *memberlist.Node)   { e.set(n) }
func (e *events) NotifyLeave(n *memberlist.Node)  { e.set(n) }
func (e *events) NotifyUpdate(n *memberlist.Node) { e.set(n) }

// NotifyConflict is memberlist's report of another node claiming our name from another address.
func (e *events) NotifyConflict(existing, other *memberlist.Node) {
	log.Printf("[WARN] memberlist-lab-app: conflicting address for %s: mine %s:%d, theirs %s:%d",
		existing.Name, existing.Addr, existing.Port, other.Addr, other.Port)
}

func (e *events) list(ml *memberlist.Memberlist) []member {
	e.mu.Lock()
	out := make(map[string]member, len(e.nodes))
	for k, v := range e.nodes {
		out[k] = v
	}
	e.mu.Unlock()
	// Members() is memberlist's own live view; it also knows who is suspect right now.
	for _, n := range ml.Members() {
		m := member{Name: n.Name, Addr: net.JoinHostPort(n.Addr.String(), strconv.Itoa(int(n.Port))), State: stateName(currentState(n))}
		out[n.Name] = m
	}
	list := make([]member, 0, len(out))
	for _, v := range out {
		list = append(list, v)
	}
	sort.Slice(list, func(i, j int) bool { return list[i].Name < list[j].Name })
	return list
}

func main() {
	bind := flag.String("bind", "127.0.0.1", "IP address to gossip on")
	port := flag.Int("port", 7946, "gossip port (TCP and UDP)")
	join := flag.String("join", "", "comma-separated ip:port of members to join")
	httpAddr := flag.String("http", "", "ip:port for GET /members (loopback only; empty: none)")
	profile := flag.String("profile", "lan", "memberlist timing profile: lan or local")
	leaveTimeout := flag.Duration("leave-timeout", 5*time.Second, "how long to wait for the leave to be broadcast on SIGTERM")
	flag.Parse()

	name := os.Getenv("GOSSIP_NODE_NAME")
	if name == "" {
		h, err := os.Hostname()
		if err != nil {
			log.Fatalf("memberlist-lab-app: no GOSSIP_NODE_NAME and no hostname: %v", err)
		}
		name = h
	}
	if env := os.Getenv("HOSTNAME"); os.Getenv("GOSSIP_NODE_NAME") == "" && env != "" {
		name = env
	}

	var cfg *memberlist.Config
	switch *profile {
	case "lan":
		cfg = memberlist.DefaultLANConfig()
	case "local":
		cfg = memberlist.DefaultLocalConfig()
	default:
		log.Fatalf("memberlist-lab-app: unknown -profile %q (lan or local)", *profile)
	}
	ev := &events{nodes: map[string]member{}}
	cfg.Name = name
	cfg.BindAddr = *bind
	cfg.BindPort = *port
	cfg.AdvertiseAddr = *bind
	cfg.AdvertisePort = *port
	cfg.Events = ev
	cfg.Conflict = ev
	cfg.LogOutput = os.Stderr

	ml, err := memberlist.Create(cfg)
	if err != nil {
		log.Fatalf("memberlist-lab-app: start %s on %s:%d: %v", name, *bind, *port, err)
	}
	if *join != "" {
		if _, err := ml.Join(strings.Split(*join, ",")); err != nil {
			log.Printf("[WARN] memberlist-lab-app: join %s: %v", *join, err)
		}
	}

	if *httpAddr != "" {
		ln, err := net.Listen("tcp", *httpAddr)
		if err != nil {
			log.Fatalf("memberlist-lab-app: listen %s: %v", *httpAddr, err)
		}
		if tcp, ok := ln.Addr().(*net.TCPAddr); !ok || !tcp.IP.IsLoopback() {
			log.Fatalf("memberlist-lab-app: -http %s is not a loopback address", *httpAddr)
		}
		mux := http.NewServeMux()
		mux.HandleFunc("/members", func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			_ = json.NewEncoder(w).Encode(ev.list(ml))
		})
		go func() { _ = http.Serve(ln, mux) }()
	}
	fmt.Printf("memberlist app running: %s\n", name)

	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
	s := <-sig
	log.Printf("[INFO] memberlist-lab-app: %s received, leaving", s)
	if err := ml.Leave(*leaveTimeout); err != nil {
		log.Printf("[ERR] memberlist-lab-app: leave: %v", err)
	}
	if err := ml.Shutdown(); err != nil {
		log.Printf("[ERR] memberlist-lab-app: shutdown: %v", err)
	}
	fmt.Println("memberlist app left")
}
