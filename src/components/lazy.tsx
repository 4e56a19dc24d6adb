import * as React from 'react';

/**
 * A module fetched on first use through a dynamic `import()`. Webpack puts
 * such a module (and the vendor code only it needs) in a chunk of its own,
 * so heavy libraries (charts, graph layout) are not fetched while
 * JupyterLab starts, only when a view first shows them.
 */
export class LazyModule<T> {
  constructor(load: () => Promise<T>) {
    this._load = load;
  }

  /**
   * The module once loaded, else `null`.
   */
  get value(): T | null {
    return this._value;
  }

  /**
   * Load the module (once; a failed load is tried again on the next call).
   */
  load(): Promise<T> {
    if (!this._promise) {
      this._promise = this._load().then(
        value => {
          this._value = value;
          return value;
        },
        (reason: unknown) => {
          this._promise = null;
          throw reason;
        }
      );
    }
    return this._promise;
  }

  private readonly _load: () => Promise<T>;
  private _promise: Promise<T> | null = null;
  private _value: T | null = null;
}

/**
 * The state of a lazy module as a component sees it.
 */
export interface ILazyState<T> {
  value: T | null;
  error: Error | null;
}

/**
 * A lazy module's value, loading it on first render; the component renders
 * again once it has loaded (or failed to).
 */
export function useLazyModule<T>(module: LazyModule<T>): ILazyState<T> {
  const [state, setState] = React.useState<ILazyState<T>>({
    value: module.value,
    error: null
  });
  React.useEffect(() => {
    if (state.value !== null) {
      return;
    }
    let live = true;
    module.load().then(
      value => live && setState({ value, error: null }),
      (reason: unknown) =>
        live &&
        setState({
          value: null,
          error: reason instanceof Error ? reason : new Error(String(reason))
        })
    );
    return () => {
      live = false;
    };
  }, [module]);
  return state;
}

/**
 * Renders `children` with a lazy module once it has loaded, a placeholder
 * until then, and the load's error if it failed.
 */
export function Lazy<T>(props: {
  module: LazyModule<T>;
  /**
   * What shows while the module loads, e.g. "Laying out the graph…".
   */
  loading: string;
  children: (value: T) => React.ReactNode;
}): JSX.Element {
  const { value, error } = useLazyModule(props.module);
  if (value !== null) {
    return <>{props.children(value)}</>;
  }
  return (
    <div
      className={'jp-Vertex-lazyPlaceholder' + (error ? ' jp-mod-error' : '')}
      role={error ? 'alert' : 'status'}
    >
      {error ? error.message : props.loading}
    </div>
  );
}
