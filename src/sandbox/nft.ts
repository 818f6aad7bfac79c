/**
 * The sandbox's packet filter (nftables, inside the namespace only). Loopback is allowed (the
 * bridge to the server and the DNS stub live there). Everything else has a route (a veth whose
 * peer is in the same namespace, so nothing can leave) only so that it reaches this filter: each
 * new TCP or UDP destination is added to a set and refused at once (TCP reset, ICMP unreachable),
 * so a build fails fast and the report can name every address it tried.
 */
export const RULESET = `
table inet airgap {
  set tcp4 { type ipv4_addr . inet_service; flags dynamic; }
  set udp4 { type ipv4_addr . inet_service; flags dynamic; }
  set tcp6 { type ipv6_addr . inet_service; flags dynamic; }
  set udp6 { type ipv6_addr . inet_service; flags dynamic; }
  chain out {
    type filter hook output priority 0; policy accept;
    oifname "lo" accept
    meta nfproto ipv6 icmpv6 type { nd-router-solicit, nd-neighbor-solicit, mld2-listener-report } drop
    meta nfproto ipv4 meta l4proto tcp add @tcp4 { ip daddr . tcp dport } counter reject with tcp reset
    meta nfproto ipv4 meta l4proto udp add @udp4 { ip daddr . udp dport } counter reject
    meta nfproto ipv6 meta l4proto tcp add @tcp6 { ip6 daddr . tcp dport } counter reject with tcp reset
    meta nfproto ipv6 meta l4proto udp add @udp6 { ip6 daddr . udp dport } counter reject
    counter reject
  }
}
`;

export interface Attempt { proto: 'tcp' | 'udp'; address: string; port: number }

/**
 * Every TCP/UDP destination the filter refused, from `nft -j list table inet airgap`, and the
 * packets of other protocols it refused (ping and the like: no port to name).
 */
export function attemptsFromNft(json: string): { attempts: Attempt[]; otherPackets: number } {
  const items = (JSON.parse(json) as { nftables: Record<string, any>[] }).nftables;
  const attempts: Attempt[] = [];
  let otherPackets = 0;
  for (const it of items) {
    if (it.set && /^(tcp|udp)[46]$/.test(it.set.name)) {
      for (const e of it.set.elem ?? []) {
        const [address, port] = (e.elem?.val ?? e).concat as [string, number];
        attempts.push({ proto: it.set.name.slice(0, 3), address, port });
      }
    }
    const expr: Record<string, any>[] = it.rule?.expr ?? [];
    if (expr.some((x) => 'reject' in x) && !expr.some((x) => 'set' in x)) for (const x of expr) if (x.counter) otherPackets += x.counter.packets; // a bare reject is {"reject": null}
  }
  attempts.sort((a, b) => (a.address + a.port < b.address + b.port ? -1 : 1));
  return { attempts, otherPackets };
}
