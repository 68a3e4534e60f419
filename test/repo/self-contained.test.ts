import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { brokenReferences, headingAnchor } from '../support/repo-references';

describe('the repository is self-contained', () => {
  it('every link, repository path and Markdown name in its documents and source comments exists in it', () => {
    const broken = brokenReferences().map((ref) => `${ref.file}: ${ref.reference} (${ref.why})`);
    expect(broken).toEqual([]);
  });
});

describe('the reference check itself', () => {
  // Fixture names are assembled, so that this file's own text names no missing Markdown file.
  const md = (name: string) => `${name}.md`;
  // A scratch repository, so the check is shown to fail on each kind of broken reference.
  const root = mkdtempSync(join(tmpdir(), 'repo-references-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const write = (file: string, text: string) => {
    mkdirSync(dirname(join(root, file)), { recursive: true });
    writeFileSync(join(root, file), text);
  };
  write(`docs/${md('guide')}`, '# Guide\n\n## Adding a thing\n\nText.\n');
  write('lib/naming.ts', 'export const x = 1;\n');
  const check = (file: string, text: string) => {
    write(file, text);
    return brokenReferences(root, [`docs/${md('guide')}`, 'lib/naming.ts', file]).map((ref) => ref.reference);
  };

  it('accepts links, anchors, module paths and names that resolve', () => {
    const text = `See [the guide](docs/${md('guide')}#adding-a-thing), \`lib/naming.ts\`, lib/naming and docs/${md('guide')}.\n`;
    expect(check('README.md', text)).toEqual([]);
  });

  it('refuses a link to a missing file and a missing anchor', () => {
    expect(check('README.md', `[a](docs/${md('missing')}) and [b](docs/${md('guide')}#no-such-heading)\n`)).toEqual([
      `docs/${md('missing')}`,
      `docs/${md('guide')}#no-such-heading`,
    ]);
  });

  it('refuses a Markdown name that is not in the repository (a design file kept elsewhere)', () => {
    expect(check(`docs/${md('other')}`, `As ${md('DESIGN')} says.\n`)).toEqual([md('DESIGN')]);
  });

  it('refuses a missing path in a source comment, but not the same text in code', () => {
    const text = `// see lib/gone.ts and ${md('AWS-FACTS')}\nconst path = 'lib/gone.ts';\n`;
    expect(check('lib/a.ts', text)).toEqual(['lib/gone.ts', md('AWS-FACTS')]);
  });

  it('refuses a Markdown name in a string that no file of the repository has', () => {
    expect(check('lib/b.ts', `export const reason = 'as ${md('CONVENTIONS')} decides';\n`)).toEqual([md('CONVENTIONS')]);
  });

  it('treats glob and placeholder paths as patterns, not files', () => {
    expect(check(`docs/${md('patterns')}`, 'Files `lib/*.ts` and `lib/<name>.ts`.\n')).toEqual([]);
  });

  it("computes GitHub's heading anchors", () => {
    expect(headingAnchor('A third LF-tag: `zone`')).toBe('a-third-lf-tag-zone');
  });
});
