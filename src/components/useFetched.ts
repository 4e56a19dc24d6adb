import * as React from 'react';
import { VertexAPIError } from '../api/request';

/**
 * Fetch the resource whenever the list's copy of it changes (including
 * leaving the list), so that a tab learns it was deleted: NOT_FOUND calls
 * `onGone`. Returns the last fetched value, the last other failure, and a
 * setter for a newer value the caller learnt otherwise (e.g. an action's answer).
 */
export function useFetched<T>(
  load: () => Promise<T>,
  key: string,
  onGone: () => void
): {
  value: T | null;
  error: VertexAPIError | null;
  set: (value: T) => void;
} {
  const [value, setValue] = React.useState<T | null>(null);
  const [error, setError] = React.useState<VertexAPIError | null>(null);
  React.useEffect(() => {
    let cancelled = false;
    load().then(
      fetched => {
        if (!cancelled) {
          setValue(fetched);
          setError(null);
        }
      },
      reason => {
        if (cancelled) {
          return;
        }
        const failure = VertexAPIError.from(reason);
        if (failure.reason === 'NOT_FOUND') {
          onGone();
        } else {
          setError(failure);
        }
      }
    );
    return () => {
      cancelled = true;
    };
  }, [key]);
  return { value, error, set: setValue };
}
