/**
 * What the collector stores of the sender's network identity, per `privacy` in the settings: the IP
 * address truncated (the last IPv4 octet, the last 80 bits of an IPv6 address: the /24 and /48 that
 * geolocation needs and no more), dropped or kept; the user agent only when asked for.
 */
import { isIPv4, isIPv6 } from 'node:net';
import type { CollectorPrivacy } from '../settings';

/** `203.0.113.7` → `203.0.113.0`; `2001:db8:85a3:8d3:1319:8a2e:370:7348` → `2001:db8:85a3::`; anything else undefined. */
export function truncateIp(ip: string): string | undefined {
  const text = ip.trim();
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(text);
  const v4 = mapped ? mapped[1] : text;
  if (isIPv4(v4)) return `${v4.split('.').slice(0, 3).join('.')}.0`;
  if (!isIPv6(text)) return undefined;
  const groups = [...expandIpv6(text).slice(0, 3).map((group) => group.replace(/^0+(?=.)/, '')), '0', '0', '0', '0', '0'];
  return compressIpv6(groups);
}

/** RFC 5952 text: the longest run of zero groups (the first of equals, at least two) becomes `::`. */
function compressIpv6(groups: readonly string[]): string {
  let best = { start: -1, length: 0 };
  for (let start = 0; start < groups.length; start += 1) {
    let length = 0;
    while (start + length < groups.length && groups[start + length] === '0') length += 1;
    if (length > best.length) best = { start, length };
  }
  if (best.length < 2) return groups.join(':');
  return `${groups.slice(0, best.start).join(':')}::${groups.slice(best.start + best.length).join(':')}`;
}

/** The eight 16-bit groups of an IPv6 address (an embedded IPv4 tail becomes two groups). */
function expandIpv6(ip: string): string[] {
  let text = ip.toLowerCase().split('%')[0];
  const tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (tail) {
    const [a, b, c, d] = tail[1].split('.').map(Number);
    text = text.slice(0, -tail[1].length) + `${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, rest] = text.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = rest === undefined || rest === '' ? [] : rest.split(':');
  const zeros = rest === undefined ? [] : new Array<string>(8 - left.length - right.length).fill('0');
  return [...left, ...zeros, ...right];
}

/** The IP address to store under the policy; undefined when nothing is stored (dropped, or not an address). */
export function storedIp(ip: string | undefined, policy: CollectorPrivacy['ip']): string | undefined {
  if (ip === undefined || ip.trim() === '' || policy === 'drop') return undefined;
  if (policy === 'keep') return ip;
  return truncateIp(ip);
}

/** The user agent to store under the policy. */
export function storedUserAgent(userAgent: string | undefined, privacy: CollectorPrivacy): string | undefined {
  return privacy.keepUserAgent && userAgent !== undefined && userAgent !== '' ? userAgent : undefined;
}
