/**
 * A regular expression matching the decimal integers greater than `limit` (leading zeros allowed), for a
 * WAF rule on the Content-Length header: AWS WAF inspects at most the first 8 KB of a body behind API
 * Gateway, so a body-size rule cannot see a 500 KB batch, but the declared length tells it before the
 * body is read. Anchored; no backtracking constructs (WAF's regex engine refuses them).
 *
 * For limit = 512000: a number with more digits, or the same number of digits and, at the first digit
 * that differs, a greater one.
 */
export function greaterThanPattern(limit: number): string {
  if (!Number.isSafeInteger(limit) || limit < 0) throw new Error(`greaterThanPattern: ${limit} is not a non-negative integer`);
  const digits = String(limit);
  const alternatives = [`[1-9][0-9]{${digits.length},}`];
  for (let i = 0; i < digits.length; i++) {
    const digit = Number(digits[i]);
    if (digit === 9) continue;
    const rest = digits.length - i - 1;
    const first = i === 0 ? Math.max(digit + 1, 1) : digit + 1;
    const range = first === 9 ? '9' : `[${first}-9]`;
    alternatives.push(`${digits.slice(0, i)}${range}${rest > 0 ? `[0-9]{${rest}}` : ''}`);
  }
  return `^0*(${alternatives.join('|')})$`;
}
