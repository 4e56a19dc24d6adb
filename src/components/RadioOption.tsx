import * as React from 'react';

/**
 * One choice of a radio group in the dialogs: the button and its text in one
 * label, so a click on the text selects it.
 */
export function RadioOption(props: RadioOption.IProps): JSX.Element {
  return (
    <label className={props.className}>
      <input
        type="radio"
        name={props.name}
        checked={props.checked}
        disabled={props.disabled}
        onChange={props.onSelect}
      />
      <span>{props.children}</span>
    </label>
  );
}

export namespace RadioOption {
  export interface IProps {
    /** The group's name, shared by its options. */
    name: string;
    checked: boolean;
    onSelect: () => void;
    disabled?: boolean;
    className?: string;
    children: React.ReactNode;
  }
}
