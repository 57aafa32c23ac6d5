/** Dense linear algebra for small ridge problems (p ≈ 30): Cholesky of (ZᵀZ + λI), deterministic loop order. */

export class NotPositiveDefiniteError extends Error {
  override readonly name = 'NotPositiveDefiniteError';
  readonly code = 'FORECAST_NOT_POSITIVE_DEFINITE';
  constructor(readonly pivot: number) {
    super(`matrix is not positive definite (pivot ${pivot})`);
  }
}

/** Lower-triangular L with A = L Lᵀ, for a symmetric positive definite A (row-major p×p). */
export function cholesky(a: readonly (readonly number[])[]): number[][] {
  const p = a.length;
  const l = Array.from({ length: p }, () => new Array<number>(p).fill(0));
  for (let i = 0; i < p; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i][j];
      for (let k = 0; k < j; k++) s -= l[i][k] * l[j][k];
      if (i === j) {
        if (!(s > 0)) throw new NotPositiveDefiniteError(i);
        l[i][i] = Math.sqrt(s);
      } else {
        l[i][j] = s / l[j][j];
      }
    }
  }
  return l;
}

/** Solves L Lᵀ x = b by forward then back substitution. */
export function choleskySolve(l: readonly (readonly number[])[], b: readonly number[]): number[] {
  const p = l.length;
  const z = new Array<number>(p).fill(0);
  for (let i = 0; i < p; i++) {
    let s = b[i];
    for (let k = 0; k < i; k++) s -= l[i][k] * z[k];
    z[i] = s / l[i][i];
  }
  const x = new Array<number>(p).fill(0);
  for (let i = p - 1; i >= 0; i--) {
    let s = z[i];
    for (let k = i + 1; k < p; k++) s -= l[k][i] * x[k];
    x[i] = s / l[i][i];
  }
  return x;
}

/** β minimising ‖y − Zβ‖² + λ‖β‖² (Z already standardised, y already centred; no intercept). */
export function ridgeSolve(z: readonly (readonly number[])[], y: readonly number[], lambda: number): number[] {
  const p = z[0]?.length ?? 0;
  const a = Array.from({ length: p }, () => new Array<number>(p).fill(0));
  const b = new Array<number>(p).fill(0);
  for (let r = 0; r < z.length; r++) {
    const row = z[r];
    for (let i = 0; i < p; i++) {
      b[i] += row[i] * y[r];
      for (let j = 0; j <= i; j++) a[i][j] += row[i] * row[j];
    }
  }
  for (let i = 0; i < p; i++) {
    for (let j = 0; j < i; j++) a[j][i] = a[i][j];
    a[i][i] += lambda;
  }
  return choleskySolve(cholesky(a), b);
}
