import { seededRandom } from '../../producer/sample-events';
import { describe, expect, it } from 'vitest';
import { chunkText, estimateTokens } from '../../constructs/embeddings/chunk';

// The producer's mulberry32: a seeded generator, so a failing property prints a reproducible seed.
const random = seededRandom;

const WORDS = ['lake', 'house', 'vector', 'embedding', 'governance', 'a', 'of', 'partition', 'x', 'supercalifragilistic', 'données', '数据', 'é', '🙂'];

function randomDocument(rand: () => number): string {
  const pick = <T>(items: readonly T[]) => items[Math.floor(rand() * items.length)];
  const parts: string[] = [];
  const blocks = 1 + Math.floor(rand() * 30);
  for (let b = 0; b < blocks; b += 1) {
    const r = rand();
    if (r < 0.15) parts.push(`${'#'.repeat(1 + Math.floor(rand() * 3))} ${pick(WORDS)} ${pick(WORDS)}`);
    else if (r < 0.2) parts.push('z'.repeat(1 + Math.floor(rand() * 3000))); // one unbreakable "word"
    else {
      const sentences: string[] = [];
      const count = 1 + Math.floor(rand() * 25);
      for (let s = 0; s < count; s += 1) {
        const words = Array.from({ length: 1 + Math.floor(rand() * 30) }, () => pick(WORDS));
        sentences.push(`${words.join(rand() < 0.1 ? '\n' : ' ')}${pick(['.', '!', '?', ''])}`);
      }
      parts.push(sentences.join(' '));
    }
  }
  return parts.join(pick(['\n\n', '\n\n\n', '\n \n'])) + pick(['', '\n', '   ']);
}

describe('chunker properties (300 random documents each)', () => {
  const cases = Array.from({ length: 300 }, (_, seed) => {
    const rand = random(seed);
    const size = 16 + Math.floor(rand() * 400);
    const overlap = Math.floor(rand() * (size / 2 + 1));
    return { seed, text: randomDocument(rand), size, overlap };
  });

  it('every non-whitespace character of the text is inside some chunk, chunks are spans in order', () => {
    for (const { seed, text, size, overlap } of cases) {
      const chunks = chunkText(text, { size, overlap });
      const covered = new Uint8Array(text.length);
      let lastStart = -1;
      for (const chunk of chunks) {
        expect(chunk.text, `seed ${seed}`).toBe(text.slice(chunk.start, chunk.end));
        expect(chunk.start, `seed ${seed}: starts move forward`).toBeGreaterThan(lastStart);
        lastStart = chunk.start;
        covered.fill(1, chunk.start, chunk.end);
      }
      const uncovered: number[] = [];
      for (let i = 0; i < text.length; i += 1) if (/\S/.test(text[i]) && covered[i] === 0) uncovered.push(i);
      expect(uncovered, `seed ${seed}`).toEqual([]);
      expect(chunks.map((c) => c.ordinal)).toEqual(chunks.map((_, i) => i));
    }
  });

  it('no chunk is empty or larger than the size', () => {
    for (const { seed, text, size, overlap } of cases) {
      for (const chunk of chunkText(text, { size, overlap })) {
        expect(chunk.text.trim().length, `seed ${seed}`).toBeGreaterThan(0);
        expect(chunk.tokens, `seed ${seed}`).toBe(estimateTokens(chunk.text));
        expect(chunk.tokens, `seed ${seed}: ${chunk.tokens} > ${size}`).toBeLessThanOrEqual(size);
      }
    }
  });

  it('consecutive chunks overlap by at most the overlap setting, and not at all with overlap 0', () => {
    let overlapped = 0;
    for (const { seed, text, size, overlap } of cases) {
      const chunks = chunkText(text, { size, overlap });
      for (let i = 1; i < chunks.length; i += 1) {
        const shared = Math.max(0, chunks[i - 1].end - chunks[i].start);
        const sharedTokens = shared === 0 ? 0 : estimateTokens(text.slice(chunks[i].start, chunks[i - 1].end));
        expect(sharedTokens, `seed ${seed}`).toBeLessThanOrEqual(overlap);
        if (sharedTokens > 0) overlapped += 1;
      }
      const none = chunkText(text, { size, overlap: 0 });
      for (let i = 1; i < none.length; i += 1) expect(none[i].start, `seed ${seed}`).toBeGreaterThanOrEqual(none[i - 1].end);
    }
    // The property must not hold vacuously.
    expect(overlapped).toBeGreaterThan(100);
  });
});

describe('chunker structure', () => {
  it('whitespace-only text gives no chunks', () => {
    expect(chunkText(' \n\n\t ', { size: 300, overlap: 60 })).toEqual([]);
  });

  it('a heading starts a new chunk and overlap does not cross it', () => {
    const section = (title: string) => `# ${title}\n\n${Array.from({ length: 8 }, (_, i) => `${title} sentence number ${i} is here.`).join(' ')}`;
    const text = [section('Alpha'), section('Beta'), section('Gamma')].join('\n\n');
    const chunks = chunkText(text, { size: 200, overlap: 40 });
    expect(chunks.map((c) => c.heading)).toEqual(['Alpha', 'Beta', 'Gamma']);
    expect(chunks.map((c) => c.text.split('\n')[0])).toEqual(['# Alpha', '# Beta', '# Gamma']);
  });

  it('ends chunks on paragraph boundaries when paragraphs fit', () => {
    const paragraphs = Array.from({ length: 6 }, (_, i) => `Paragraph ${i} has a few words in it.`);
    const text = paragraphs.join('\n\n');
    const chunks = chunkText(text, { size: 30, overlap: 0 });
    expect(chunks.length).toBeGreaterThan(1);
    for (const chunk of chunks) expect(chunk.text.endsWith('.')).toBe(true);
    expect(chunks.map((c) => c.text).join('\n\n')).toBe(text);
  });

  it('a small heading section stays with the following text', () => {
    const chunks = chunkText('Intro line.\n\n# Title\n\nBody text of the section.', { size: 100, overlap: 20 });
    expect(chunks).toHaveLength(1);
  });

  it('estimates tokens per started 4 characters of each word', () => {
    expect(estimateTokens('a bb ccc dddd eeeee')).toBe(6);
    expect(estimateTokens('')).toBe(0);
    expect(estimateTokens('🙂🙂🙂🙂🙂')).toBe(2);
  });
});
