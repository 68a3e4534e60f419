/**
 * IPv4 CIDR blocks as EC2 takes them. EC2 masks host bits away (`10.0.0.1/16` becomes `10.0.0.0/16`),
 * so a block with host bits set would land the VPC on another network than the one written: refuse it
 * and name the network address instead.
 */

/** What is wrong with `cidr` as an IPv4 block, or undefined when it is a clean network address. */
export function ipv4CidrProblem(cidr: string): string | undefined {
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr);
  if (!match) return 'must be an IPv4 CIDR block such as 10.0.0.0/16';
  const octets = match.slice(1, 5).map(Number);
  const prefix = Number(match[5]);
  if (octets.some((octet, i) => octet > 255 || (match[i + 1].length > 1 && match[i + 1].startsWith('0'))) || prefix > 32) {
    return 'must be an IPv4 CIDR block such as 10.0.0.0/16 (octets 0-255 without leading zeros, prefix 0-32)';
  }
  const address = octets.reduce((value, octet) => value * 256 + octet, 0);
  const size = 2 ** (32 - prefix);
  const network = Math.floor(address / size) * size;
  if (network !== address) {
    const dotted = [24, 16, 8, 0].map((shift) => Math.floor(network / 2 ** shift) % 256).join('.');
    return `has host bits set: AWS would use the network ${dotted}/${prefix} instead; write "${dotted}/${prefix}"`;
  }
  return undefined;
}
