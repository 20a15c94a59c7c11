/**
 * The zones the interop tests serve, in presentation format: every record type the server
 * knows, CNAME chains (in the zone, to another served zone, out of every zone, to a missing
 * name), wildcards and what blocks them (RFC 4592), empty non-terminals (RFC 8020), a delegation
 * with glue, an unknown type in RFC 3597 form, and TXT RRsets sized to straddle the 512 and 1232
 * octet UDP limits.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** `count` TXT records at `owner`, each one 60-octet string. */
function txtRecords(owner: string, count: number): string {
  const lines: string[] = [];
  for (let i = 0; i < count; i++) {
    const text = `record ${String(i).padStart(2, '0')} of ${owner}, padded to sixty octets`.padEnd(60, '.');
    lines.push(`${i === 0 ? owner : ''.padEnd(owner.length)} IN TXT "${text}"`);
  }
  return lines.join('\n');
}

/**
 * Negative TTL here is 60: min(SOA TTL 3600, SOA MINIMUM 60) (RFC 2308 §5).
 * Sizes of the TXT answers behind a question and an OPT: small ≈ 420 octets (fits 512),
 * mid ≈ 790 (needs EDNS, fits 1232), big ≈ 2,970 (fits only TCP).
 */
export const INTEROP_ZONE = `; interop.test. — the zone of the interop tests
$ORIGIN interop.test.
$TTL 300
@        3600 IN SOA ns1 hostmaster (
                 2024060101 ; serial
                 3600       ; refresh
                 600        ; retry
                 604800     ; expire
                 60 )       ; minimum
         3600 IN NS   ns1
         3600 IN NS   ns2.interop.test.
              IN MX   10 mail
              IN TXT  "v=spf1 mx -all"
              IN CAA  0 issue "letsencrypt.org"
ns1      3600 IN A    192.0.2.53
ns2      3600 IN A    198.51.100.53
         3600 IN AAAA 2001:db8::53
mail          IN A    192.0.2.25
api      30   IN A    192.0.2.10
         30   IN A    192.0.2.11
         30   IN AAAA 2001:db8::10
www           IN CNAME web              ; in-zone chain: www → web → api
web           IN CNAME api
ext           IN CNAME target.example.net.   ; out of every zone served
cross         IN CNAME www.other.test.  ; into another zone served here
dangling      IN CNAME missing          ; to a name the zone does not have
_sip._tcp     IN SRV  10 60 5060 api
info          IN TXT  "Resolute interop zone" "with spaces in it"
10.rev        IN PTR  api.interop.test.
*.apps        IN A    192.0.2.80
              IN TXT  "synthesized"
real.apps     IN A    192.0.2.81        ; exists: blocks the wildcard
host.blocker.apps IN A 192.0.2.82       ; makes blocker.apps an empty non-terminal
*.alias       IN CNAME api
towild        IN CNAME x.apps           ; to a name only the wildcard *.apps covers
host.b.ent    IN A    192.0.2.90        ; ent. and b.ent. are empty non-terminals
sub      86400 IN NS  ns.sub
         86400 IN NS  ns.elsewhere.example.
ns.sub   86400 IN A   192.0.2.153
         86400 IN AAAA 2001:db8::153
opaque        IN TYPE65534 \\# 4 0A000001
${txtRecords('small', 5)}
${txtRecords('mid', 10)}
${txtRecords('big', 40)}
`;

/** Negative TTL here is 30: min(SOA TTL 30, SOA MINIMUM 300). */
export const OTHER_ZONE = `$ORIGIN other.test.
$TTL 300
@    30 IN SOA ns1.other.test. hostmaster.other.test. 7 3600 600 604800 300
     30 IN NS  ns1
ns1     IN A   192.0.2.54
www     IN A   192.0.2.60
`;

export const INTEROP_SOA = 'interop.test. 60 IN SOA ns1.interop.test. hostmaster.interop.test. 2024060101 3600 600 604800 60';

/** Writes the two zones to a new temporary directory; returns their paths. */
export async function writeInteropZones(): Promise<{ dir: string; interop: string; other: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'resolute-interop-'));
  const interop = join(dir, 'interop.test.zone');
  const other = join(dir, 'other.test.zone');
  await writeFile(interop, INTEROP_ZONE);
  await writeFile(other, OTHER_ZONE);
  return { dir, interop, other };
}
