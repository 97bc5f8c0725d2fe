/**
 * The known name closest to a misspelled one, for "did you mean …?" messages: within an edit
 * distance of 1 for short names, 2 from 6 characters, 3 from 12 (a typo, not another task).
 * Ties go to the first name given.
 */
export function closestName(name: string, known: Iterable<string>): string | undefined {
  const limit = name.length < 6 ? 1 : name.length < 12 ? 2 : 3;
  let best: string | undefined;
  let bestDistance = limit + 1;
  for (const candidate of known) {
    if (candidate === name || Math.abs(candidate.length - name.length) >= bestDistance) continue;
    const distance = editDistance(name, candidate, bestDistance);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/**
 * Optimal string alignment distance (Levenshtein plus swaps of neighbours, the commonest typo),
 * giving up at `cap`: one row per character of `a`, O(|a|·|b|) for names of a few dozen.
 */
function editDistance(a: string, b: string, cap: number): number {
  let before = new Array<number>(b.length + 1).fill(0);
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        value = Math.min(value, before[j - 2] + 1);
      }
      current[j] = value;
      rowMin = Math.min(rowMin, value);
    }
    if (rowMin >= cap) return cap;
    before = previous;
    previous = current;
  }
  return previous[b.length];
}
