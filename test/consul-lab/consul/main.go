// Command consul is the Consul lab's Consul: v1.14.8's own agent, leave, members and version
// commands (MPL 2.0, pinned in go.mod), behind a main of the lab's own.
//
// Consul's main registers every CLI command. Built outside Consul's repository, its in-tree
// api/sdk/proto-public replacements give way to the tagged modules its go.mod names, and
// `operator raft list-peers` needs a field (RaftServer.LastIndex) that only the in-tree api of
// 1.14.8 had. The lab needs none of that command, so it registers the four it uses.
package main

import (
	"fmt"
	"io"
	"log"
	"os"

	"github.com/hashicorp/consul/command/agent"
	"github.com/hashicorp/consul/command/cli"
	"github.com/hashicorp/consul/command/leave"
	"github.com/hashicorp/consul/command/members"
	"github.com/hashicorp/consul/command/version"
	mcli "github.com/mitchellh/cli"
)

func main() {
	log.SetOutput(io.Discard)
	ui := &cli.BasicUI{BasicUi: mcli.BasicUi{Writer: os.Stdout, ErrorWriter: os.Stderr}}
	factory := func(c cli.Command) mcli.CommandFactory {
		return func() (mcli.Command, error) { return c, nil }
	}
	c := &mcli.CLI{
		Args: os.Args[1:],
		Commands: map[string]mcli.CommandFactory{
			"agent":   factory(agent.New(ui)),
			"leave":   factory(leave.New(ui)),
			"members": factory(members.New(ui)),
			"version": factory(version.New(ui)),
		},
		Name:        "consul",
		HelpWriter:  os.Stdout,
		ErrorWriter: os.Stderr,
	}
	if c.IsVersion() {
		os.Exit(version.New(ui).Run(nil))
	}
	code, err := c.Run()
	if err != nil {
		fmt.Fprintf(os.Stderr, "Error executing CLI: %v\n", err)
		os.Exit(1)
	}
	os.Exit(code)
}
