// When a face is named: its nearest gallery identity lies within `max_distance` — a threshold that
// tightens as the galleries searched grow. Every identity is one more chance for a stranger to
// resemble somebody (strangers named ≈ 1 − (1 − p(t))^N for N identities), so the threshold that
// keeps strangers out of a 1,000-person gallery names several per cent of them against 5,000.
// Measured with `facerec eval openset --gallery-size` (models/README.md): up to 1,000 identities
// the threshold is the one asked for; beyond, it shrinks by 0.05 per tenfold growth (5,749 people:
// 1.0 → 0.962; the 9,809 of the merged gallery: 0.950). The slope was first read off LFW's own
// figures; re-derived on half of the people of the merged gallery (`facerec eval openset --gallery
// celebrities`) it came out at 0.039, which on the other half named nearly twice the portrait
// strangers for one point more named right, so 0.05 stays. The distances reported stay the real ones.

/** Identities up to which `max_distance` applies as given. */
export const SIZE_FREE_IDENTITIES = 1000;
/** How much the threshold shrinks per tenfold growth beyond that. */
export const SIZE_SLOPE = 0.05;

export function sizeAdjustedMaxDistance(maxDistance: number, identities: number): number {
  if (!(identities > SIZE_FREE_IDENTITIES)) return maxDistance;
  return maxDistance - SIZE_SLOPE * Math.log10(identities / SIZE_FREE_IDENTITIES);
}
