/**
 * IPv4 addresses and CIDR blocks, as the course file writes them. Addresses are held as unsigned
 * 32-bit numbers so subnets can be carved with plain arithmetic.
 */

export interface Cidr {
  /** Network address as an unsigned 32-bit number. */
  base: number;
  prefix: number;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };

/** Strict dotted quad: four decimal octets 0–255, no leading zeros (010 reads as octal elsewhere). */
export function parseIpv4(text: string): Parsed<number> {
  const parts = text.split('.');
  if (parts.length !== 4 || parts.some((p) => !/^(0|[1-9][0-9]{0,2})$/.test(p) || Number(p) > 255)) {
    return { ok: false, reason: `\`${text}\` is not an IPv4 address (like 192.0.2.10)` };
  }
  return { ok: true, value: parts.reduce((acc, p) => acc * 256 + Number(p), 0) };
}

export function formatIpv4(value: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join('.');
}

/** Number of addresses in a block of this prefix length. */
export function blockSize(prefix: number): number {
  return 2 ** (32 - prefix);
}

export function formatCidr(cidr: Cidr): string {
  return `${formatIpv4(cidr.base)}/${cidr.prefix}`;
}

/**
 * `10.42.0.0/16`. Host bits must be zero: `10.42.0.1/16` most likely means `10.42.0.0/16`, but
 * Neutron and Docker disagree on what to do with it, so the file has to say which.
 */
export function parseCidr(text: string): Parsed<Cidr> {
  const match = /^([^/\s]+)\/(0|[1-9][0-9]?)$/.exec(text);
  if (!match) {
    return { ok: false, reason: `\`${text}\` is not an IPv4 CIDR (like 10.42.0.0/16)` };
  }
  const address = parseIpv4(match[1]!);
  const prefix = Number(match[2]);
  if (!address.ok || prefix > 32) {
    return { ok: false, reason: `\`${text}\` is not an IPv4 CIDR (like 10.42.0.0/16)` };
  }
  const size = blockSize(prefix);
  const base = address.value - (address.value % size);
  if (base !== address.value) {
    return { ok: false, reason: `${text} has host bits set; did you mean ${formatCidr({ base, prefix })}?` };
  }
  return { ok: true, value: { base, prefix } };
}

/** Whether `inner` lies entirely inside `outer`. */
export function cidrContains(outer: Cidr, inner: Cidr): boolean {
  return inner.prefix >= outer.prefix && inner.base >= outer.base && inner.base + blockSize(inner.prefix) <= outer.base + blockSize(outer.prefix);
}

/** RFC 1918 private ranges: a course network outside them would shadow real internet routes. */
export const PRIVATE_RANGES: readonly Cidr[] = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'].map((text) => {
  const parsed = parseCidr(text);
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.value;
});

export function isPrivate(cidr: Cidr): boolean {
  return PRIVATE_RANGES.some((range) => cidrContains(range, cidr));
}
