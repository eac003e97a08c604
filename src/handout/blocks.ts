/**
 * A handout sheet as blocks, rendered twice: Markdown (to read in a terminal or an editor) and a
 * self-contained HTML page (to print, or to open in a browser on class day). One structure, so the
 * two can never say different things. Text is plain with `code` spans in backticks; everything
 * else — a learner's name included — is escaped in HTML, never passed through as markup.
 */

export type Block =
  | { kind: 'heading'; level: 1 | 2; text: string }
  | { kind: 'paragraph'; lines: string[] }
  | { kind: 'list'; items: string[] }
  | { kind: 'code'; lines: string[] }
  /** Each cell is one or more lines. */
  | { kind: 'table'; header: string[]; rows: string[][][] };

export function toMarkdown(blocks: Block[]): string {
  const out: string[] = [];
  for (const block of blocks) {
    switch (block.kind) {
      case 'heading':
        out.push(`${'#'.repeat(block.level)} ${block.text}`);
        break;
      case 'paragraph':
        out.push(...block.lines);
        break;
      case 'list':
        out.push(...block.items.map((item) => `- ${item}`));
        break;
      case 'code':
        out.push('```', ...block.lines, '```');
        break;
      case 'table':
        out.push(
          `| ${block.header.join(' | ')} |`,
          `|${block.header.map(() => '---').join('|')}|`,
          ...block.rows.map((row) => `| ${row.map((cell) => cell.map((line) => line.replace(/\|/g, '\\|')).join('<br>')).join(' | ')} |`),
        );
        break;
    }
    out.push('');
  }
  return out.join('\n');
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

/** Plain text with `code` spans; http(s) addresses outside code become links. */
export function inlineHtml(text: string): string {
  return text
    .split('`')
    .map((part, index) => {
      if (index % 2 === 1) return `<code>${escapeHtml(part)}</code>`;
      return escapeHtml(part).replace(/https?:\/\/[^\s)<]+/g, (url) => `<a href="${url}">${url}</a>`);
    })
    .join('');
}

const STYLE = `
body { font-family: system-ui, sans-serif; max-width: 48rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.45; color: #111; }
h1 { font-size: 1.5rem; border-bottom: 2px solid #333; padding-bottom: .3rem; }
h2 { font-size: 1.15rem; margin-top: 1.6rem; }
code, pre { font-family: ui-monospace, monospace; font-size: .92em; }
pre { background: #f3f3f3; border: 1px solid #ccc; padding: .6rem .8rem; white-space: pre-wrap; word-break: break-all; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 1px solid #999; padding: .3rem .5rem; text-align: left; vertical-align: top; }
th { background: #eee; }
@media print { body { margin: 0; max-width: none; } a { color: inherit; text-decoration: none; } h2 { break-after: avoid; } pre, table { break-inside: avoid; } }
`;

export function toHtml(blocks: Block[]): string {
  const title = blocks.find((b): b is Extract<Block, { kind: 'heading' }> => b.kind === 'heading')?.text ?? 'handout';
  const body: string[] = [];
  for (const block of blocks) {
    switch (block.kind) {
      case 'heading':
        body.push(`<h${block.level}>${inlineHtml(block.text)}</h${block.level}>`);
        break;
      case 'paragraph':
        body.push(`<p>${block.lines.map(inlineHtml).join('<br>\n')}</p>`);
        break;
      case 'list':
        body.push('<ul>', ...block.items.map((item) => `<li>${inlineHtml(item)}</li>`), '</ul>');
        break;
      case 'code':
        body.push(`<pre><code>${block.lines.map(escapeHtml).join('\n')}</code></pre>`);
        break;
      case 'table':
        body.push(
          '<table>',
          `<thead><tr>${block.header.map((h) => `<th>${inlineHtml(h)}</th>`).join('')}</tr></thead>`,
          '<tbody>',
          ...block.rows.map((row) => `<tr>${row.map((cell) => `<td>${cell.map(inlineHtml).join('<br>')}</td>`).join('')}</tr>`),
          '</tbody>',
          '</table>',
        );
        break;
    }
  }
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<title>${escapeHtml(title.replace(/`/g, ''))}</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    ...body,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
