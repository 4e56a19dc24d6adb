import * as React from 'react';
import { IAriaProps } from './Select';

/**
 * A styled text box without spell checking (ids, names, URIs); a textarea
 * when `rows` is given.
 */
export function TextInput(
  props: {
    id?: string;
    value: string;
    onChange: (value: string) => void;
    placeholder?: string;
    maxLength?: number;
    autoComplete?: string;
    rows?: number;
  } & IAriaProps
): JSX.Element {
  const { rows, onChange, ...rest } = props;
  const common = { ...rest, className: 'jp-mod-styled', spellCheck: false };
  return rows ? (
    <textarea
      rows={rows}
      {...common}
      onChange={e => onChange(e.target.value)}
    />
  ) : (
    <input type="text" {...common} onChange={e => onChange(e.target.value)} />
  );
}
