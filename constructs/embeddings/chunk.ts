/**
 * Token-aware, structure-keeping chunker.
 *
 * Chunks are spans of the extracted text (`text.slice(start, end)`), so coverage and overlap can be
 * checked exactly. The text is cut into units along its structure: sections (a Markdown heading starts
 * one), then paragraphs (blank lines); a unit larger than the chunk size is cut into sentences, then
 * words, then pieces of a word. Units are packed greedily up to `size` tokens, so a chunk ends on a
 * paragraph boundary whenever the next paragraph does not fit. A heading closes the current chunk unless
 * it is still small (under a quarter of the size), and overlap never crosses a heading: a chunk does not
 * start with the tail of another section.
 *
 * Tokens are estimated, not counted with the model's tokenizer (Bedrock does not publish it): one token
 * per started 4 characters of each whitespace-separated word. That over-counts English slightly (about
 * 1.6 tokens per word against a BPE's 1.3), which keeps every chunk inside the model's input limit.
 */
import { createHash } from 'node:crypto';
import type { ChunkSettings } from './settings';

export interface Chunk {
  /** Position in the document, from 0. */
  readonly ordinal: number;
  readonly start: number;
  readonly end: number;
  readonly text: string;
  readonly tokens: number;
  /** sha256 (hex) of the text: the ledger's key for reusing an embedding. */
  readonly hash: string;
  /** The nearest Markdown heading above the chunk, if any (stored in the chunk's metadata). */
  readonly heading?: string;
}

interface Unit {
  readonly start: number;
  readonly end: number;
  readonly tokens: number;
  /** First unit of a section (a heading line starts it). */
  readonly sectionStart: boolean;
  readonly heading?: string;
}

const CHARS_PER_TOKEN = 4;

/** Estimated tokens of a text: Σ ceil(length / 4) over whitespace-separated words. */
export function estimateTokens(text: string): number {
  let tokens = 0;
  for (const word of text.split(/\s+/)) if (word.length > 0) tokens += Math.ceil([...word].length / CHARS_PER_TOKEN);
  return tokens;
}

export function chunkHash(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** Splits `text` into chunks of at most `settings.size` estimated tokens. Whitespace-only text gives no chunks. */
export function chunkText(text: string, settings: ChunkSettings): Chunk[] {
  const { size, overlap } = settings;
  const units = toUnits(text, size);
  const chunks: Chunk[] = [];
  let i = 0;
  while (i < units.length) {
    let j = i;
    let tokens = units[i].tokens;
    while (j + 1 < units.length) {
      const next = units[j + 1];
      if (next.sectionStart && tokens >= size / 4) break;
      if (tokens + next.tokens > size) break;
      tokens += next.tokens;
      j += 1;
    }
    const start = units[i].start;
    const end = units[j].end;
    const body = text.slice(start, end);
    chunks.push({ ordinal: chunks.length, start, end, text: body, tokens: estimateTokens(body), hash: chunkHash(body), heading: headingAt(units, i) });
    if (j + 1 >= units.length) break;
    i = nextStart(units, i, j, overlap, size);
  }
  return chunks;
}

/** Where the next chunk starts: j + 1, or earlier to repeat up to `overlap` tokens of the same section. */
function nextStart(units: readonly Unit[], i: number, j: number, overlap: number, size: number): number {
  const next = units[j + 1];
  if (next.sectionStart || overlap === 0) return j + 1;
  let k = j + 1;
  let repeated = 0;
  while (k - 1 > i && !units[k].sectionStart) {
    const candidate = units[k - 1];
    if (repeated + candidate.tokens > overlap || repeated + candidate.tokens + next.tokens > size) break;
    repeated += candidate.tokens;
    k -= 1;
  }
  return k;
}

function headingAt(units: readonly Unit[], index: number): string | undefined {
  for (let u = index; u >= 0; u -= 1) if (units[u].heading !== undefined) return units[u].heading;
  return undefined;
}

const HEADING = /^ {0,3}(#{1,6})[ \t]+(.+?)[ \t#]*$/;

/** Units: paragraphs (with their section marks), cut further where one exceeds the size. */
function toUnits(text: string, size: number): Unit[] {
  const units: Unit[] = [];
  const paragraph = /\S[\s\S]*?(?=\n[ \t]*\n|\s*$)/g;
  let section: string | undefined;
  for (const match of text.matchAll(paragraph)) {
    const start = match.index;
    const body = match[0];
    const heading = HEADING.exec(body.split('\n', 1)[0]);
    if (heading) section = heading[2].trim();
    const sectionStart = heading !== null;
    const pieces = split(text, start, start + body.length, size);
    pieces.forEach((piece, index) =>
      units.push({ ...piece, sectionStart: sectionStart && index === 0, heading: sectionStart && index === 0 ? section : undefined }),
    );
  }
  return units;
}

/** [start, end) as one unit, or as sentences, words and word pieces when it is larger than `size` tokens. */
function split(text: string, start: number, end: number, size: number): Array<{ start: number; end: number; tokens: number }> {
  const tokens = estimateTokens(text.slice(start, end));
  if (tokens <= size) return [{ start, end, tokens }];
  const body = text.slice(start, end);
  const sentences = [...body.matchAll(/\S[\s\S]*?(?:[.!?。！？](?=\s)|$)/g)].map((m) => [start + m.index, start + m.index + m[0].length] as const);
  if (sentences.length > 1) return sentences.flatMap(([s, e]) => split(text, s, e, size));
  const words = [...body.matchAll(/\S+/g)].map((m) => [start + m.index, start + m.index + m[0].length] as const);
  if (words.length > 1) return words.flatMap(([s, e]) => split(text, s, e, size));
  // One word longer than a chunk (a hash, a URL, minified data): pieces of `size` tokens' worth of characters.
  const pieces: Array<{ start: number; end: number; tokens: number }> = [];
  const step = size * CHARS_PER_TOKEN;
  const chars = [...body];
  let offset = start;
  for (let c = 0; c < chars.length; c += step) {
    const piece = chars.slice(c, c + step).join('');
    pieces.push({ start: offset, end: offset + piece.length, tokens: estimateTokens(piece) });
    offset += piece.length;
  }
  return pieces;
}
