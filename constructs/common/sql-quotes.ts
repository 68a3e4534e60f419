/**
 * The index of the quote that closes the SQL string literal or quoted identifier opening at `start`
 * (`'…'` or `"…"`, a doubled quote standing for one inside it), or -1 when the text ends first.
 * Shared by the ELT's statement scanner and the local lake's tokenizer, which word their own errors.
 */
export function closingQuoteIndex(sql: string, start: number): number {
  const quote = sql[start];
  for (let j = start + 1; j < sql.length; j += 1) {
    if (sql[j] !== quote) continue;
    if (sql[j + 1] === quote) j += 1;
    else return j;
  }
  return -1;
}
