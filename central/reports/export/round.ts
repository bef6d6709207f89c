/**
 * Half away from zero on the DECIMAL value of x (1.25 → 1.3, 2.45 → 2.5, 1.005 → 1.01, -1.25 → -1.3).
 * Scaling through the shortest decimal text (toExponential) instead of multiplying by 10^d, so a
 * binary neighbour like 1.00499999… does not round down what the reader sees as 1.005.
 *
 * Local stand-in for `roundForDisplay` of shared/reports/formulas.ts (written by the engine in
 * parallel): the lead swaps the import for that one function when the branches meet.
 */
export const roundHalfAway = (x: number, decimals: number): number => {
  if (!Number.isFinite(x)) return x;
  const [mantissa, exponent = '0'] = Math.abs(x).toExponential().split('e');
  const scaled = Math.round(Number(`${mantissa}e${Number(exponent) + decimals}`));
  const rounded = Number(`${scaled}e-${decimals}`);
  return rounded === 0 ? 0 : Math.sign(x) * rounded;
};
