import * as React from 'react';

/**
 * A styled drop-down of these choices.
 */
export function Select<T extends string | number>(
  props: {
    id?: string;
    value: T;
    choices: ReadonlyArray<{ value: T; label: string }>;
    disabled?: boolean;
    onChange: (value: string) => void;
  } & IAriaProps
): JSX.Element {
  const { value, choices, onChange, ...rest } = props;
  return (
    <select
      className="jp-mod-styled"
      value={value}
      {...rest}
      onChange={e => onChange(e.target.value)}
    >
      {choices.map(choice => (
        <option key={choice.value} value={choice.value}>
          {choice.label}
        </option>
      ))}
    </select>
  );
}

/**
 * The ARIA attributes `fieldAria` gives a control.
 */
export interface IAriaProps {
  'aria-invalid'?: boolean;
  'aria-describedby'?: string;
}
