// Which IP addresses a URL download must not reach unless the operator allows it (SSRF): the
// machine itself, its networks, and addresses that are not a single public host.
import { isIPv4, isIPv6 } from 'node:net';

export type AddressKind = 'loopback' | 'private' | 'link-local' | 'unspecified' | 'shared' | 'multicast' | 'reserved';

/** The kind of a non-public address, or null for a public unicast one. Throws on a non-IP string. */
export function classifyAddress(address: string): AddressKind | null {
  if (isIPv4(address)) return classifyIPv4(parseIPv4(address));
  if (isIPv6(address)) return classifyIPv6(parseIPv6(address));
  throw new TypeError(`not an IP address: ${address}`);
}

/** "a private address", "a loopback address", … for messages. */
export function describeKind(kind: AddressKind): string {
  switch (kind) {
    case 'shared':
      return 'a shared (carrier-grade NAT) address';
    case 'unspecified':
      return 'an unspecified address';
    default:
      return `a ${kind} address`;
  }
}

// [network, prefix length, kind]; the first match wins, so narrower ranges come first.
const IPV4_RANGES: readonly [string, number, AddressKind][] = [
  ['0.0.0.0', 32, 'unspecified'],
  ['0.0.0.0', 8, 'reserved'], // "this network": Linux connects 0.x to the local host
  ['127.0.0.0', 8, 'loopback'],
  ['10.0.0.0', 8, 'private'],
  ['172.16.0.0', 12, 'private'],
  ['192.168.0.0', 16, 'private'],
  ['169.254.0.0', 16, 'link-local'], // includes cloud metadata endpoints (169.254.169.254)
  ['100.64.0.0', 10, 'shared'],
  ['224.0.0.0', 4, 'multicast'],
  ['240.0.0.0', 4, 'reserved'], // includes the broadcast address
];

function classifyIPv4(ip: number): AddressKind | null {
  for (const [network, bits, kind] of IPV4_RANGES) {
    const mask = (~0 << (32 - bits)) >>> 0;
    if (((ip & mask) >>> 0) === parseIPv4(network)) return kind;
  }
  return null;
}

function classifyIPv6(h: number[]): AddressKind | null {
  const at = (i: number) => h[i] ?? 0;
  const zeros = (from: number, to: number) => h.slice(from, to).every((x) => x === 0);
  const embeddedV4 = (hi: number, lo: number) => ((hi << 16) | lo) >>> 0;

  if (zeros(0, 8)) return 'unspecified';
  if (zeros(0, 7) && at(7) === 1) return 'loopback';
  // IPv4-mapped (::ffff:a.b.c.d) reaches the IPv4 host itself.
  if (zeros(0, 5) && at(5) === 0xffff) return classifyIPv4(embeddedV4(at(6), at(7)));
  // NAT64 (64:ff9b::a.b.c.d) is translated to the embedded IPv4 host by the network's gateway.
  if (at(0) === 0x64 && at(1) === 0xff9b && zeros(2, 6)) return classifyIPv4(embeddedV4(at(6), at(7)));
  if (at(0) === 0x64 && at(1) === 0xff9b && at(2) === 1) return 'private'; // local-use NAT64
  // 6to4 (2002:a.b.c.d::/48) tunnels to the embedded IPv4 host.
  if (at(0) === 0x2002) return classifyIPv4(embeddedV4(at(1), at(2)));
  if (at(0) >> 8 === 0) return 'reserved'; // ::/8 else: IPv4-compatible and other legacy forms
  if ((at(0) & 0xfe00) === 0xfc00) return 'private'; // fc00::/7 unique local
  if ((at(0) & 0xffc0) === 0xfe80) return 'link-local';
  if ((at(0) & 0xffc0) === 0xfec0) return 'private'; // deprecated site-local
  if (at(0) >> 8 === 0xff) return 'multicast';
  return null;
}

function parseIPv4(address: string): number {
  return address.split('.').reduce((acc, part) => ((acc << 8) | Number(part)) >>> 0, 0);
}

/** Eight 16-bit groups of a valid IPv6 address (zone id dropped, trailing dotted quad expanded). */
function parseIPv6(address: string): number[] {
  let text = address.split('%')[0] ?? '';
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted?.[1]) {
    const v4 = parseIPv4(dotted[1]);
    text = `${text.slice(0, dotted.index)}${(v4 >>> 16).toString(16)}:${(v4 & 0xffff).toString(16)}`;
  }
  const groups = (part: string) => (part === '' ? [] : part.split(':').map((g) => parseInt(g, 16)));
  const [head = '', tail] = text.split('::');
  if (tail === undefined) return groups(head);
  const left = groups(head);
  const right = groups(tail);
  return [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
}
