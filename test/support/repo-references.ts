import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, extname, join, normalize } from 'node:path';
import ts from 'typescript';
import { REPO_ROOT } from './app-context';

/**
 * Finds references in the repository's documents and source comments to files that are not in it:
 * Markdown links (and their #anchors), backticked repository paths, `*.md` names, and paths in comments.
 * The repository is meant to be self-contained: a reader must be able to open everything it cites.
 */

/** One reference that does not resolve. */
export interface BrokenReference {
  readonly file: string;
  readonly reference: string;
  readonly why: string;
}

/** Tracked files plus new, not yet ignored ones, so that a file being written is checked before its commit. */
export function repositoryFiles(root: string = REPO_ROOT): string[] {
  const output = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], { cwd: root, encoding: 'utf8' });
  return output.split('\n').filter((file) => file !== '' && existsSync(join(root, file)));
}

/** Top-level folders a path in prose may start with; anything else (e.g. `s3://…`, `a/b` in a sentence) is not a repository path. */
function topLevelFolders(files: readonly string[]): string[] {
  return [...new Set(files.filter((file) => file.includes('/')).map((file) => file.split('/')[0]))];
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** GitHub's anchor for a heading: lowercase, punctuation dropped, spaces to hyphens. */
export function headingAnchor(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replace(/ /g, '-');
}

function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  let fenced = false;
  for (const line of markdown.split('\n')) {
    if (line.startsWith('```')) fenced = !fenced;
    const heading = !fenced && /^#{1,6} (.+)$/.exec(line);
    if (heading) anchors.add(headingAnchor(heading[1]));
  }
  return anchors;
}

interface Context {
  readonly root: string;
  readonly folders: readonly string[];
  readonly basenames: ReadonlySet<string>;
}

function exists(context: Context, relative: string): boolean {
  const path = normalize(relative);
  return !path.startsWith('..') && !path.startsWith('node_modules') && existsSync(join(context.root, path));
}

/** A path as an import names it: `lib/naming` means `lib/naming.ts`. */
function moduleExists(context: Context, relative: string): boolean {
  return ['', '.ts', '.js', '.mjs'].some((extension) => exists(context, relative + extension));
}

/** A `*.md` name resolves next to the file that names it, or from the repository root. */
function markdownNameResolves(context: Context, file: string, name: string): boolean {
  return exists(context, join(dirname(file), name)) || exists(context, name);
}

const MD_NAME = /(?<![\w/.-])((?:\.{1,2}\/)*[\w][\w./-]*\.md)(?![\w-])/g;
/** Glob or placeholder characters right after a path make it a pattern, not a file (`config/datasets/*.ts`). */
const PATTERN_CONTINUATION = /^[*<{$…]/;

function repositoryPaths(context: Context, text: string): string[] {
  if (context.folders.length === 0) return [];
  const pattern = new RegExp(`(?<![\\w./-])((?:${context.folders.map(escapeRegExp).join('|')})/[\\w./-]*)`, 'g');
  const paths: string[] = [];
  for (const match of text.matchAll(pattern)) {
    const after = text.slice((match.index ?? 0) + match[0].length);
    if (PATTERN_CONTINUATION.test(after)) continue;
    paths.push(match[1].replace(/[.,:]+$/, ''));
  }
  return paths;
}

function checkMarkdown(context: Context, file: string, text: string, report: (reference: string, why: string) => void): void {
  for (const match of text.matchAll(/\[[^\]\n]*\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
    const target = match[1];
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto:
    const [path, anchor] = target.split('#');
    const resolved = path === '' ? file : join(dirname(file), path);
    if (!exists(context, resolved)) {
      report(target, 'link target does not exist');
    } else if (anchor !== undefined && extname(resolved) === '.md' && !anchorsOf(readFileSync(join(context.root, resolved), 'utf8')).has(anchor)) {
      report(target, `${resolved} has no heading with anchor #${anchor}`);
    }
  }
  // Link text often repeats its target's file name, which the loop above has already checked.
  const withoutLinks = text.replace(/\[[^\]\n]*\]\([^)\s]+\)/g, '');
  for (const path of repositoryPaths(context, withoutLinks)) {
    if (!moduleExists(context, path)) report(path, 'path does not exist in the repository');
  }
  for (const match of withoutLinks.matchAll(MD_NAME)) {
    if (!markdownNameResolves(context, file, match[1])) report(match[1], 'no such Markdown file in the repository');
  }
}

/** Comment texts of a TypeScript or JavaScript file, through the compiler's own scanner (so `//` inside strings is not a comment). */
function scriptComments(file: string, text: string): string[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false, file.endsWith('.ts') || file.endsWith('.mts') ? ts.ScriptKind.TS : ts.ScriptKind.JS);
  const seen = new Set<number>();
  const comments: string[] = [];
  const collect = (ranges: ts.CommentRange[] | undefined) => {
    for (const range of ranges ?? []) {
      if (seen.has(range.pos)) continue;
      seen.add(range.pos);
      comments.push(text.slice(range.pos, range.end));
    }
  };
  const visit = (node: ts.Node) => {
    collect(ts.getLeadingCommentRanges(text, node.pos));
    collect(ts.getTrailingCommentRanges(text, node.end));
    node.forEachChild(visit);
  };
  visit(source);
  collect(ts.getLeadingCommentRanges(text, source.endOfFileToken.pos));
  return comments;
}

function lineComments(text: string, marker: string): string[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.startsWith(marker) && !line.startsWith('#!'));
}

const SCRIPT_EXTENSIONS = new Set(['.ts', '.mts', '.mjs', '.js']);

function checkSource(context: Context, file: string, text: string, report: (reference: string, why: string) => void): void {
  const extension = extname(file);
  const comments = SCRIPT_EXTENSIONS.has(extension)
    ? scriptComments(file, text)
    : extension === '.sql'
      ? lineComments(text, '--')
      : lineComments(text, '#');
  for (const comment of comments) {
    for (const path of repositoryPaths(context, comment)) {
      if (!moduleExists(context, path)) report(path, 'path in a comment does not exist in the repository');
    }
    for (const match of comment.matchAll(MD_NAME)) {
      if (!markdownNameResolves(context, file, match[1])) report(match[1], 'Markdown file named in a comment does not exist in the repository');
    }
  }
  // Strings reach users too (acknowledgement reasons, error messages): a `*.md` name there must at least be a file of the repository.
  if (SCRIPT_EXTENSIONS.has(extension)) {
    for (const match of text.matchAll(MD_NAME)) {
      const name = match[1];
      if (!markdownNameResolves(context, file, name) && !context.basenames.has(basename(name))) {
        report(name, 'Markdown file named in the source does not exist in the repository');
      }
    }
  }
}

const SOURCE_EXTENSIONS = new Set([...SCRIPT_EXTENSIONS, '.sql', '.sh', '.yaml', '.yml']);
const isSource = (file: string) => SOURCE_EXTENSIONS.has(extname(file)) || file === '.ci/run';

/** Every reference in `files` (Markdown and source) that does not resolve inside `root`. */
export function brokenReferences(root: string = REPO_ROOT, files: readonly string[] = repositoryFiles(root)): BrokenReference[] {
  const context: Context = { root, folders: topLevelFolders(files), basenames: new Set(files.map((file) => basename(file))) };
  const broken: BrokenReference[] = [];
  for (const file of files) {
    const isMarkdown = extname(file) === '.md';
    if (!isMarkdown && !isSource(file)) continue;
    const text = readFileSync(join(root, file), 'utf8');
    const reported = new Set<string>();
    const report = (reference: string, why: string) => {
      if (reported.has(reference)) return; // once per file: a name in a comment is also in the file's text
      reported.add(reference);
      broken.push({ file, reference, why });
    };
    if (isMarkdown) checkMarkdown(context, file, text, report);
    else checkSource(context, file, text, report);
  }
  return broken;
}
