/** Markdown for the claims sheet: text that shows literally, links, and tables. */

/** Text as Markdown shows it literally: no emphasis, links, HTML or table cells made by accident. */
export function mdText(text: string): string {
  return text.replace(/[\\`*_[\]<>|]/g, '\\$&').replace(/\s*\n\s*/g, ' / ');
}

/** A table cell: literal text, pipes escaped, line breaks kept. */
export function mdCell(text: string): string {
  return text.split('\n').map(mdText).join('<br>');
}

/** A link whose text shows literally and whose address survives spaces and angle brackets. */
export const mdLink = (text: string, url: string) =>
  `[${mdText(text)}](<${url.replace(/[<>\s]/g, encodeURIComponent)}>)`;

/** A table, one line per row, every cell literal. */
export function mdTable(header: string[], rows: string[][]): string[] {
  return [
    `| ${header.map(mdCell).join(' | ')} |`,
    `| ${header.map(() => '---').join(' | ')} |`,
    ...rows.map((row) => `| ${row.map(mdCell).join(' | ')} |`),
  ];
}
