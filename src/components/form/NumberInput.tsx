import * as React from 'react';
import { IAriaProps } from './Select';

/**
 * A styled number box; `onChange` gets the text as typed.
 */
export function NumberInput(
  props: {
    id?: string;
    value: string | number;
    min: number;
    max?: number;
    disabled?: boolean;
    onChange: (value: string) => void;
  } & IAriaProps
): JSX.Element {
  const { onChange, ...rest } = props;
  return (
    <input
      className="jp-mod-styled"
      type="number"
      {...rest}
      onChange={e => onChange(e.target.value)}
    />
  );
}
