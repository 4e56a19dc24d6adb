import { IProbeValue } from '../snippet';

/**
 * What the kernel probe answers for a 3×2 float array (unless overridden).
 */
export function probeValue(overrides: Partial<IProbeValue> = {}): IProbeValue {
  return {
    ok: true,
    kind: 'ndarray',
    typeName: 'numpy.ndarray',
    shape: [3, 2],
    dtype: 'float64',
    columns: null,
    values: [
      [0, 1],
      [2, 3],
      [4, 5]
    ],
    issues: { nan: 0, infinity: 0, missing: 0, nonNumeric: 0, first: [] },
    ...overrides
  };
}
