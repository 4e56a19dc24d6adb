import { TranslationBundle } from '@jupyterlab/translation';
import { IProbeValue } from './snippet';

/**
 * How the value becomes prediction instances.
 */
export type InstanceMode = 'one' | 'rows';

/**
 * Vertex's online prediction body limit is 1.5 MB; above this many bytes of
 * instances the bulk route splits them into several requests.
 */
export const ONLINE_MAX_BYTES = 1_400_000;

/**
 * The modes the value allows: a scalar or a dict is one instance; anything
 * with rows can also be a batch of rows.
 */
export function allowedModes(value: IProbeValue): InstanceMode[] {
  return Array.isArray(value.values) ? ['rows', 'one'] : ['one'];
}

/**
 * The sensible default: 2-D and more → a batch of rows; 1-D (one feature
 * vector) → one instance. A ragged list is taken as rows.
 */
export function defaultMode(value: IProbeValue): InstanceMode {
  if (!Array.isArray(value.values)) {
    return 'one';
  }
  const shape = value.shape;
  if (shape === null) {
    return 'rows';
  }
  return shape.length >= 2 ? 'rows' : 'one';
}

/**
 * The instances to send.
 */
export function instancesOf(value: IProbeValue, mode: InstanceMode): unknown[] {
  if (mode === 'rows' && Array.isArray(value.values)) {
    return value.values;
  }
  return [value.values];
}

/**
 * The number of rows of a value (its first dimension), or 1.
 */
export function rowCount(value: IProbeValue): number {
  return Array.isArray(value.values) ? value.values.length : 1;
}

/**
 * The bytes of `{"instances": [...]}`.
 */
export function bodyBytes(instances: unknown[]): number {
  return new TextEncoder().encode(JSON.stringify({ instances })).length;
}

/**
 * Whether these instances are too large for one online request.
 */
export function needsBulk(
  instances: unknown[],
  maxBytes: number = ONLINE_MAX_BYTES
): boolean {
  return bodyBytes(instances) > maxBytes;
}

/**
 * `(3, 64)`, `(64,)`, `()`, or `ragged (3, …)` for people.
 */
export function formatShape(value: IProbeValue): string {
  const shape = value.shape;
  if (shape === null) {
    return Array.isArray(value.values) ? `(${value.values.length}, …)` : '—';
  }
  if (shape.length === 1) {
    return `(${shape[0]},)`;
  }
  return `(${shape.join(', ')})`;
}

/**
 * What in the value will not reach the model as numbers, in a sentence;
 * `blocking` when the request cannot be sent as is (JSON has no NaN or
 * Infinity; they came back as null).
 */
export function issueSummary(
  value: IProbeValue,
  trans: TranslationBundle
): { text: string; blocking: boolean } | null {
  const { nan, infinity, missing, nonNumeric, first } = value.issues;
  if (!nan && !infinity && !missing && !nonNumeric) {
    return null;
  }
  const parts: string[] = [];
  if (nan) {
    parts.push(trans._n('%1 NaN value', '%1 NaN values', nan));
  }
  if (infinity) {
    parts.push(trans._n('%1 infinite value', '%1 infinite values', infinity));
  }
  if (missing) {
    parts.push(trans._n('%1 missing value', '%1 missing values', missing));
  }
  if (nonNumeric) {
    parts.push(
      trans._n('%1 non-numeric value', '%1 non-numeric values', nonNumeric)
    );
  }
  const where = first
    .map(issue => `[${issue.path.join(', ')}] = ${issue.value}`)
    .join(', ');
  const blocking = nan + infinity + missing > 0;
  const text = blocking
    ? trans.__(
        '%1 (first: %2). JSON cannot carry NaN or Infinity and the model needs every value: fill or drop them first, e.g. `X.fillna(0)` or `np.nan_to_num(X)`.',
        parts.join(', '),
        where
      )
    : trans.__(
        '%1 (first: %2). They are sent as they are; the model may reject them.',
        parts.join(', '),
        where
      );
  return { text, blocking };
}

/**
 * The index of the largest number of a class-probability vector (numbers
 * in [0, 1] that sum to 1), or `null` for anything else.
 */
export function argmaxOfProbabilities(prediction: unknown): number | null {
  if (!Array.isArray(prediction) || prediction.length < 2) {
    return null;
  }
  let sum = 0;
  let best = 0;
  for (let i = 0; i < prediction.length; i++) {
    const p = prediction[i];
    if (typeof p !== 'number' || !(p >= 0 && p <= 1)) {
      return null;
    }
    sum += p;
    if (p > (prediction[best] as number)) {
      best = i;
    }
  }
  return Math.abs(sum - 1) <= 1e-3 ? best : null;
}

/**
 * A short JSON of a prediction for a table cell.
 */
export function predictionText(prediction: unknown, maxLength = 120): string {
  const text = JSON.stringify(prediction) ?? String(prediction);
  return text.length > maxLength ? text.slice(0, maxLength - 1) + '…' : text;
}
