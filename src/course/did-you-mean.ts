/**
 * Suggestions for misspelt field names and enum values, so an error can say what was meant
 * instead of only what was wrong.
 */

/** Edit distance (insertions, deletions, substitutions; a swap of neighbours counts once). */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) => Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
      }
    }
  }
  return d[a.length]![b.length]!;
}

/** `sshPortBase`, `SSH-Port-Base` and `ssh_port_base` all mean the same field. */
function normalise(word: string): string {
  return word.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase().replace(/[-_\s]/g, '');
}

/**
 * The candidate `word` most likely stands for, or undefined when none is close: same spelling up
 * to case/dashes/camelCase, else the nearest within 2 edits (1 for words of 4 letters or fewer,
 * where 2 edits would turn almost anything into anything), else the one candidate it abbreviates.
 */
export function didYouMean(word: string, candidates: readonly string[]): string | undefined {
  const normalised = normalise(word);
  const same = candidates.find((c) => normalise(c) === normalised);
  if (same !== undefined) return same;
  const limit = normalised.length <= 4 ? 1 : 2;
  let best: string | undefined;
  let bestDistance = limit + 1;
  for (const candidate of candidates) {
    const distance = editDistance(normalised, normalise(candidate));
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  if (best !== undefined || normalised.length < 4) return best;
  // Abbreviations (`ssh_key` for `ssh_public_key`): a unique candidate holding the word's letters in order.
  const abbreviated = candidates.filter((c) => isSubsequence(normalised, normalise(c)));
  return abbreviated.length === 1 ? abbreviated[0] : undefined;
}

function isSubsequence(short: string, long: string): boolean {
  let i = 0;
  for (const ch of long) if (ch === short[i]) i++;
  return i === short.length;
}

/** `; did you mean \`retention\`?` or the empty string. */
export function suggestion(word: string, candidates: readonly string[]): string {
  const guess = didYouMean(word, candidates);
  return guess === undefined ? '' : `; did you mean \`${guess}\`?`;
}
