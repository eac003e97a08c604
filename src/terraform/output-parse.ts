/** What terraform's human output says it changed, and its error diagnostics, read from -no-color output. */

export interface StackChanges {
  add: number;
  change: number;
  destroy: number;
}

const PATTERNS: Array<{ re: RegExp; read: (m: RegExpMatchArray) => StackChanges }> = [
  { re: /^Plan: (\d+) to add, (\d+) to change, (\d+) to destroy\./, read: (m) => counts(m[1], m[2], m[3]) },
  { re: /^Apply complete! Resources: (\d+) added, (\d+) changed, (\d+) destroyed\./, read: (m) => counts(m[1], m[2], m[3]) },
  { re: /^Destroy complete! Resources: (\d+) destroyed\./, read: (m) => counts('0', '0', m[1]) },
  { re: /^No changes\. /, read: () => counts('0', '0', '0') },
];

function counts(add = '0', change = '0', destroy = '0'): StackChanges {
  return { add: Number(add), change: Number(change), destroy: Number(destroy) };
}

/**
 * The changes of a plan, apply or destroy, from its last summary line; undefined when terraform
 * printed none (it failed before planning). A failed apply that had already planned reports the plan.
 */
export function parseChanges(output: string): StackChanges | undefined {
  // apply and destroy print their plan first, then what they did: the last summary wins.
  let found: StackChanges | undefined;
  for (const raw of output.split('\n')) {
    const line = raw.trim();
    for (const { re, read } of PATTERNS) {
      const match = line.match(re);
      if (match) found = read(match);
    }
  }
  return found;
}

/**
 * Terraform's error diagnostics as it printed them, without the box drawing of its
 * diagnostic frames: `Error: <summary>` and the detail lines after it, for each error.
 */
export function terraformError(output: string): string | undefined {
  const blocks: string[][] = [];
  let current: string[] | undefined;
  for (const raw of output.split('\n')) {
    const framed = /^[│╷╵]/.test(raw);
    const line = raw.replace(/^[│╷╵] ?/, '').trimEnd();
    if (/^Error: /.test(line)) {
      current = [line];
      blocks.push(current);
      continue;
    }
    if (!current) continue;
    if (raw.startsWith('╵') || (!framed && line === '' && current.at(-1) === '')) {
      current = undefined;
      continue;
    }
    current.push(line);
  }
  if (blocks.length === 0) return undefined;
  return blocks
    .map((b) => {
      while (b.length > 1 && b.at(-1) === '') b.pop();
      return b.join('\n');
    })
    .join('\n\n');
}

/** The lock ID when terraform could not take the state lock, for the force-unlock hint. */
export function stateLockId(output: string): string | undefined {
  if (!/Error acquiring the state lock/.test(output)) return undefined;
  return output.match(/^\s*[│]?\s*ID:\s+(\S+)/m)?.[1];
}
