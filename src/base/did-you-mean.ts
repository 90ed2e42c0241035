// "did you mean …?" for mistyped names: the closest candidate, when it is close enough to be a likely typo.
import { distance } from 'fastest-levenshtein';

/** The candidate nearest to `word` (ignoring case), if within about a third of its length in edits (at least 1). */
export function closestMatch(word: string, candidates: Iterable<string>): string | undefined {
  const wanted = word.toLowerCase();
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    const d = distance(wanted, candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return bestDistance <= Math.max(1, Math.round(word.length / 3)) ? best : undefined;
}
