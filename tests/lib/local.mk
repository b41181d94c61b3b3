# tests/lib: helpers for integration tests (start/stop a daemon, ports, pcap).
