import { ISignal } from '@lumino/signaling';
import * as React from 'react';

/**
 * A value computed from a Lumino object, computed again each time `signal`
 * is emitted (React re-renders then).
 */
export function useSignalValue<S, A, V>(
  signal: ISignal<S, A>,
  compute: () => V
): V {
  const [value, setValue] = React.useState<V>(compute);
  const computeRef = React.useRef(compute);
  computeRef.current = compute;
  React.useEffect(() => {
    const changed = () => setValue(computeRef.current());
    signal.connect(changed);
    // It may have changed between the first render and now.
    changed();
    return () => {
      signal.disconnect(changed);
    };
  }, [signal]);
  return value;
}
