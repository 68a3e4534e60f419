/**
 * Text extraction: plain text, Markdown, HTML and JSON. Anything else is skipped with a reason, never
 * thrown: one bad object must not fail the batch it arrived in.
 *
 * PDF is not supported: the maintained pure-JS parsers (pdfjs-dist, and pdf-parse which wraps it) need
 * a DOM-like environment or ship several MB of worker code, and none is in this project's dependencies.
 * A PDF is recorded as skipped (`unsupported-type`) so it shows in the ledger rather than vanishing.
 */

export type DocumentFormat = 'text' | 'markdown' | 'html' | 'json';

export type SkipReason = 'unsupported-type' | 'empty' | 'too-large' | 'undecodable' | 'no-text' | 'not-found';

export type Extraction = { readonly ok: true; readonly format: DocumentFormat; readonly text: string } | { readonly ok: false; readonly reason: SkipReason; readonly detail: string };

const BY_EXTENSION: Record<string, DocumentFormat> = {
  txt: 'text',
  text: 'text',
  log: 'text',
  csv: 'text',
  md: 'markdown',
  markdown: 'markdown',
  html: 'html',
  htm: 'html',
  json: 'json',
};

const BY_CONTENT_TYPE: Record<string, DocumentFormat> = {
  'text/plain': 'text',
  'text/csv': 'text',
  'text/markdown': 'markdown',
  'text/x-markdown': 'markdown',
  'text/html': 'html',
  'application/xhtml+xml': 'html',
  'application/json': 'json',
};

/** The format from the key's extension, else the Content-Type; undefined when neither is known. */
export function detectFormat(key: string, contentType?: string): DocumentFormat | undefined {
  const name = key.slice(key.lastIndexOf('/') + 1);
  const dot = name.lastIndexOf('.');
  const extension = dot > 0 ? name.slice(dot + 1).toLowerCase() : '';
  if (BY_EXTENSION[extension]) return BY_EXTENSION[extension];
  const type = contentType?.split(';')[0].trim().toLowerCase();
  return type ? BY_CONTENT_TYPE[type] : undefined;
}

/** Bytes → text of the document, or a skip reason. */
export function extractText(key: string, bytes: Uint8Array, contentType?: string): Extraction {
  const format = detectFormat(key, contentType);
  if (!format) return { ok: false, reason: 'unsupported-type', detail: `no extractor for ${JSON.stringify(key)} (${contentType ?? 'no Content-Type'}); supported: .txt, .md, .html, .json` };
  if (bytes.length === 0) return { ok: false, reason: 'empty', detail: 'the object is 0 bytes' };
  const decoded = decode(bytes);
  if (decoded === undefined) return { ok: false, reason: 'undecodable', detail: 'the bytes are not valid UTF-8 (or UTF-16 with a byte-order mark)' };
  if (decoded.includes('\u0000')) return { ok: false, reason: 'undecodable', detail: 'the text contains NUL characters (binary data), which PostgreSQL text cannot store' };
  let text: string;
  if (format === 'html') text = htmlToText(decoded);
  else if (format === 'json') {
    const json = jsonToText(decoded);
    if (json === undefined) return { ok: false, reason: 'undecodable', detail: 'the object is not valid JSON' };
    text = json;
  } else text = decoded;
  text = text.replace(/\r\n?/g, '\n');
  if (text.trim() === '') return { ok: false, reason: 'no-text', detail: `the ${format} document has no text` };
  return { ok: true, format, text };
}

/** UTF-8 (strict, BOM dropped), or UTF-16 when a byte-order mark says so; undefined when invalid. */
export function decode(bytes: Uint8Array): string | undefined {
  let encoding = 'utf-8';
  if (bytes[0] === 0xff && bytes[1] === 0xfe) encoding = 'utf-16le';
  else if (bytes[0] === 0xfe && bytes[1] === 0xff) encoding = 'utf-16be';
  try {
    return new TextDecoder(encoding, { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    return undefined;
  }
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

/**
 * HTML → Markdown-like text: headings become `#` lines (so the chunker sees sections), block elements
 * become paragraphs, scripts, styles and comments disappear, entities are decoded.
 */
export function htmlToText(html: string): string {
  return html
    .replace(/<!--[\s\S]*?-->/g, '')
    .replace(/<(script|style|noscript|template)\b[\s\S]*?<\/\1\s*>/gi, '')
    .replace(/<h([1-6])\b[^>]*>([\s\S]*?)<\/h\1\s*>/gi, (_m, level: string, inner: string) => `\n\n${'#'.repeat(Number(level))} ${inline(inner)}\n\n`)
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<\/?(p|div|section|article|header|footer|main|li|ul|ol|table|tr|blockquote|pre|dl|dt|dd|figure|aside|nav)\b[^>]*>/gi, '\n\n')
    .replace(/<\/?(td|th)\b[^>]*>/gi, ' ')
    .replace(/<[^>]+>/g, '')
    .replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (entity, name: string) => decodeEntity(entity, name))
    .replace(/[ \t]+/g, ' ')
    .replace(/ *\n */g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

function inline(html: string): string {
  return html.replace(/<[^>]+>/g, '').replace(/\s+/g, ' ').trim();
}

function decodeEntity(entity: string, name: string): string {
  if (name.startsWith('#')) {
    const code = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
    return Number.isInteger(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : entity;
  }
  return ENTITIES[name.toLowerCase()] ?? entity;
}

/**
 * JSON → one `path: value` line per leaf, so field names travel with their values into the embedding;
 * an object's fields form a paragraph.
 */
export function jsonToText(json: string): string | undefined {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return undefined;
  }
  const lines: string[] = [];
  const walk = (node: unknown, path: string): void => {
    if (Array.isArray(node)) node.forEach((item, index) => walk(item, `${path}[${index}]`));
    else if (node !== null && typeof node === 'object') {
      for (const [key, item] of Object.entries(node)) walk(item, path === '' ? key : `${path}.${key}`);
      if (path !== '' && lines.length > 0 && lines[lines.length - 1] !== '') lines.push('');
    } else if (node !== null && node !== '') lines.push(path === '' ? String(node) : `${path}: ${String(node)}`);
  };
  walk(value, '');
  return lines.join('\n').trim();
}
