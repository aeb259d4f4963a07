module gossip-safe.io/test/shutdown-client

go 1.26.0
