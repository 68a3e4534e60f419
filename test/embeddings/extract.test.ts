import { describe, expect, it } from 'vitest';
import { decode, detectFormat, extractText, htmlToText, jsonToText } from '../../constructs/embeddings/extract';

const utf8 = (text: string) => new TextEncoder().encode(text);

describe('extraction', () => {
  it('detects the format from the extension, then the Content-Type', () => {
    expect(detectFormat('docs/a.MD')).toBe('markdown');
    expect(detectFormat('a.htm')).toBe('html');
    expect(detectFormat('a.json')).toBe('json');
    expect(detectFormat('notes/readme', 'text/plain; charset=utf-8')).toBe('text');
    expect(detectFormat('report.pdf', 'application/pdf')).toBeUndefined();
    expect(detectFormat('.hidden')).toBeUndefined();
  });

  it('plain text and Markdown pass through (line endings normalised)', () => {
    expect(extractText('a.txt', utf8('one\r\ntwo\rthree'))).toEqual({ ok: true, format: 'text', text: 'one\ntwo\nthree' });
    expect(extractText('a.markdown', utf8('# Title\n\nBody'))).toEqual({ ok: true, format: 'markdown', text: '# Title\n\nBody' });
  });

  it('HTML: headings become # lines, blocks become paragraphs, scripts, styles and comments go, entities decode', () => {
    const html = `<html><head><style>p{color:red}</style><script>alert(1)</script></head><body>
      <h1>Guide &amp; <em>intro</em></h1><!-- hidden --><p>First&nbsp;para &#233;&#x20AC; &bogus;</p><ul><li>one</li><li>two</li></ul>
      <table><tr><td>a</td><td>b</td></tr></table>line<br>break</body></html>`;
    expect(htmlToText(html)).toBe('# Guide & intro\n\nFirst para é€ &bogus;\n\none\n\ntwo\n\na b\n\nline\nbreak');
  });

  it('JSON: one `path: value` line per leaf, objects as paragraphs', () => {
    expect(jsonToText(JSON.stringify({ title: 'T', tags: ['a', 'b'], author: { name: 'N', age: 3 }, empty: '', none: null }))).toBe(
      'title: T\ntags[0]: a\ntags[1]: b\nauthor.name: N\nauthor.age: 3',
    );
    expect(jsonToText('"just a string"')).toBe('just a string');
    expect(jsonToText('{broken')).toBeUndefined();
  });

  it('skips with a reason: unsupported type, empty, undecodable bytes, NUL characters, no text, invalid JSON', () => {
    expect(extractText('report.pdf', utf8('%PDF-1.7'), 'application/pdf')).toMatchObject({ ok: false, reason: 'unsupported-type' });
    expect(extractText('a.txt', new Uint8Array())).toMatchObject({ ok: false, reason: 'empty' });
    expect(extractText('a.txt', Uint8Array.from([0x66, 0x6f, 0xff, 0xfe, 0x80]))).toMatchObject({ ok: false, reason: 'undecodable' });
    expect(extractText('a.txt', utf8('a\u0000b'))).toMatchObject({ ok: false, reason: 'undecodable' });
    expect(extractText('a.html', utf8('<script>x()</script>  '))).toMatchObject({ ok: false, reason: 'no-text' });
    expect(extractText('a.json', utf8('{"a":'))).toMatchObject({ ok: false, reason: 'undecodable' });
  });

  it('decodes UTF-16 with a byte-order mark, and drops a UTF-8 BOM', () => {
    const le = Uint8Array.from([0xff, 0xfe, 0x68, 0x00, 0x69, 0x00]);
    const be = Uint8Array.from([0xfe, 0xff, 0x00, 0x68, 0x00, 0x69]);
    expect(decode(le)).toBe('hi');
    expect(decode(be)).toBe('hi');
    expect(decode(Uint8Array.from([0xef, 0xbb, 0xbf, 0x68]))).toBe('h');
  });
});
