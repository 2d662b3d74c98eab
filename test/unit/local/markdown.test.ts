import { describe, expect, it } from 'vitest';
import { mdCell, mdText } from '../../../local/markdown.ts';

describe('Markdown', () => {
  it('text shows literally: pipes, emphasis, links and HTML are escaped', () => {
    expect(mdText('a | b *c* _d_ [e](f) <g> `h` \\')).toBe('a \\| b \\*c\\* \\_d\\_ \\[e\\](f) \\<g\\> \\`h\\` \\\\');
    expect(mdCell('one | two\nthree')).toBe('one \\| two<br>three');
  });
});
