# Sourced by scripts/test.sh and scripts/test-providers.sh: the Debian packages the tests need,
# installed when missing (ensure-debian-packages.sh says how). One list, so both test commands
# install the same real servers: dig/kdig/dnsperf for the interop tests; Knot, NSD and BIND as
# secondaries and RFC 2136 servers; PowerDNS with its SQLite backend (a plug-in with no command).
install_test_packages() {
  bash "$(dirname "${BASH_SOURCE[0]}")/ensure-debian-packages.sh" \
    dig:bind9-dnsutils kdig:knot-dnsutils dnsperf:dnsperf knotd:knot nsd:nsd named:bind9 \
    pdns_server:pdns-server pdnsutil:pdns-server \
    --package-if-missing /usr/lib/x86_64-linux-gnu/pdns/libgsqlite3backend.so:pdns-backend-sqlite3
}
