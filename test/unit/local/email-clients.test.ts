import { describe, expect, it } from 'vitest';
import { clientProblems } from '../../../local/email-clients.ts';

const page = (body: string) => `<!doctype html><html><head></head><body>${body}</body></html>`;

describe('what the major mail clients can show', () => {
  it('a CSS grid layout is named once, with the clients that cannot show it and where to read more', () => {
    const problems = clientProblems(
      page('<div style="display:grid;grid-template-columns:1fr 1fr"><p>IV</p><p>Nasal</p></div>'),
    );
    const grid = problems.filter((problem) => problem.problem.includes('grid-template-'));
    expect(grid).toHaveLength(1);
    expect(grid[0]!.problem).toMatch(/Gmail \(Desktop Webmail\).*https:\/\/www\.caniemail\.com\//);
    expect(grid[0]!.fix).toContain('react-email’s components');
  });

  it('gaps the emails accept on purpose, like rounded button corners, are no problem', () => {
    expect(clientProblems(page('<a href="https://clinic.example" style="border-radius:6px">Book</a>'))).toEqual([]);
  });
});
