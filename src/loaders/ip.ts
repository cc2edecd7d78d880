import { isIP } from 'node:net';

/** A validated IP address with its canonical form and its /24 or /64 subnet. */
export interface CanonicalIp {
  readonly address: string;
  readonly version: 4 | 6;
  readonly subnet: string;
}

const V4_PART = /^(0|[1-9]\d{0,2})$/;

/**
 * Canonicalise an IP address, or return a reason string.
 * - IPv4: dotted quad, no leading zeros (`010.0.0.1` is octal in some parsers and decimal in others,
 *   so it is ambiguous and rejected).
 * - IPv6: RFC 5952 form (compressed, lower case), produced by the WHATWG URL serialiser.
 * - IPv4-mapped IPv6 (`::ffff:a.b.c.d`) becomes the IPv4 address: it is the same host.
 * - Zone ids (`fe80::1%eth0`) are rejected: they are local to one machine and not an identifier.
 */
export function canonicalIp(text: string): CanonicalIp | string {
  if (text.includes('%')) return 'IPv6 zone ids are not accepted';
  // Node's isIP already refuses `010.0.0.1`; say why instead of a bare "not an IP".
  if (/^\d+(\.\d+){3}$/.test(text) && !text.split('.').every((p) => V4_PART.test(p))) return 'IPv4 octet with a leading zero';
  const v = isIP(text);
  if (v === 4) {
    const parts = text.split('.');
    if (!parts.every((p) => V4_PART.test(p))) return 'IPv4 octet with a leading zero';
    return v4(parts.map(Number));
  }
  if (v !== 6) return 'not an IP address';
  let host: string;
  try {
    host = new URL(`http://[${text}]/`).hostname.slice(1, -1);
  } catch {
    return 'not an IP address';
  }
  const hextets = expand(host);
  // ::ffff:0:0/96 is the IPv4-mapped range.
  if (hextets.slice(0, 5).every((h) => h === 0) && hextets[5] === 0xffff) {
    const [a, b] = [hextets[6]!, hextets[7]!];
    return v4([a >> 8, a & 0xff, b >> 8, b & 0xff]);
  }
  const prefix = new URL(
    `http://[${hextets
      .slice(0, 4)
      .map((h) => h.toString(16))
      .join(':')}::]/`,
  ).hostname.slice(1, -1);
  return { address: host, version: 6, subnet: `${prefix}/64` };
}

function v4(octets: number[]): CanonicalIp {
  return { address: octets.join('.'), version: 4, subnet: `${octets.slice(0, 3).join('.')}.0/24` };
}

/** Expand a canonical IPv6 string (no embedded dotted quad: URL serialises those as hex) to 8 hextets. */
function expand(host: string): number[] {
  const [head, tail] = host.includes('::') ? (host.split('::') as [string, string]) : [host, undefined];
  const h = head ? head.split(':').map((x) => parseInt(x, 16)) : [];
  if (tail === undefined) return h;
  const t = tail ? tail.split(':').map((x) => parseInt(x, 16)) : [];
  return [...h, ...new Array<number>(8 - h.length - t.length).fill(0), ...t];
}
