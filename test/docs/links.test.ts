/** The README stays short, and every relative link in it and in docs/ reaches a file (and heading) that exists. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const pages = [
  'README.md',
  ...readdirSync(join(root, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => `docs/${name}`),
];

const withoutCodeBlocks = (markdown: string) => markdown.replace(/^ *```[\s\S]*?^ *```/gm, '');

/** The text outside code blocks and inline code, where a link is a link. */
const prose = (markdown: string) => withoutCodeBlocks(markdown).replace(/`[^`\n]*`/g, '');

/** GitHub's anchor for each heading: lower case, punctuation dropped, spaces as hyphens, repeats numbered. */
function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const result = new Set<string>();
  for (const [, text] of withoutCodeBlocks(markdown).matchAll(/^#{1,6} +(.+?) *$/gm)) {
    const slug = text!
      .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
      .toLowerCase()
      .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
      .replace(/ /g, '-');
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    result.add(count === 0 ? slug : `${slug}-${count}`);
  }
  return result;
}

/** Each relative link target in a page: Markdown links and images, and HTML src/href attributes. */
function links(markdown: string): string[] {
  const text = prose(markdown);
  const targets = [
    ...text.matchAll(/\]\(<?([^)\s>]+)>?(?:\s+"[^"]*")?\)/g),
    ...text.matchAll(/\s(?:src|href)="([^"]+)"/g),
  ].map((match) => match[1]!);
  return targets.filter((target) => !/^[a-z][a-z0-9+.-]*:/i.test(target));
}

/** What is wrong with one link from `page`, or undefined when it reaches its file and heading. */
function broken(page: string, target: string): string | undefined {
  const [path, anchor] = target.split('#') as [string, string | undefined];
  const file = path ? join(dirname(join(root, page)), decodeURIComponent(path)) : join(root, page);
  if (!existsSync(file)) return `${page}: ${target}: no file ${relative(root, file)}`;
  if (anchor !== undefined && file.endsWith('.md') && !anchors(readFileSync(file, 'utf8')).has(anchor)) {
    return `${page}: ${target}: no heading #${anchor} in ${relative(root, file)}`;
  }
  return undefined;
}

describe('the README and docs/', () => {
  it('README.md is under 200 lines', () => {
    expect(readFileSync(join(root, 'README.md'), 'utf8').split('\n').length).toBeLessThan(200);
  });

  it('every relative link in README.md and docs/*.md reaches an existing file, and heading when it names one', () => {
    const problems = pages.flatMap((page) =>
      links(readFileSync(join(root, page), 'utf8')).map((target) => broken(page, target)),
    );
    expect(problems.filter(Boolean)).toEqual([]);
  });

  it('the link check finds a missing file and a missing heading', () => {
    expect(broken('README.md', 'docs/nowhere.md')).toMatch(/no file docs\/nowhere\.md/);
    expect(broken('README.md', 'docs/testing.md#no-such-heading')).toMatch(/no heading #no-such-heading/);
    expect(broken('docs/testing.md', '#the-privacy-check')).toBeUndefined();
    expect(links('see [a](docs/a.md) and `[b](b.md)` and <img src="x.png"> and [c](https://c.example)')).toEqual([
      'docs/a.md',
      'x.png',
    ]);
  });
});
