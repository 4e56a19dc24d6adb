import * as React from 'react';

/**
 * A labelled control of a dialog's form, with its note and its problem
 * (announced) below it: the one field of the Train, Deploy and Create
 * instance dialogs, styled by `.jp-Vertex-form-field` and its children.
 */
export function Field(props: {
  /**
   * The control's id (the label's `for`).
   */
  id: string;
  label: string;
  /**
   * The form field's name, as `data-field` (to find the first problem).
   */
  name?: string;
  error?: React.ReactNode;
  /**
   * Help shown under the control, with the error if there is one; pass
   * `null` when an error should replace it.
   */
  note?: React.ReactNode;
  /**
   * The control, or a function returning it given its id and ARIA attributes.
   */
  children: React.ReactNode | ((control: IFieldControl) => React.ReactNode);
}): JSX.Element {
  const { id, error, note, children } = props;
  const control = { id, ...fieldAria(id, error, note) };
  return (
    <div
      className={'jp-Vertex-form-field' + (error ? ' jp-mod-invalid' : '')}
      data-field={props.name}
    >
      <label htmlFor={id}>{props.label}</label>
      {typeof children === 'function' ? children(control) : children}
      {note ? (
        <div id={`${id}-note`} className="jp-Vertex-fieldNote">
          {note}
        </div>
      ) : null}
      {error ? (
        <div id={`${id}-error`} className="jp-Vertex-fieldError" role="alert">
          {error}
        </div>
      ) : null}
    </div>
  );
}

/**
 * What a `Field` gives its control: the id its label names and the ARIA
 * attributes tying it to its note or error.
 */
export interface IFieldControl {
  id: string;
  'aria-invalid'?: boolean;
  'aria-describedby'?: string;
}

/**
 * ARIA attributes of a `Field`'s control: invalid and described by its error
 * when there is one, else described by its note when asked.
 */
export function fieldAria(
  id: string,
  error?: React.ReactNode,
  note?: React.ReactNode
): Omit<IFieldControl, 'id'> {
  if (error) {
    return { 'aria-invalid': true, 'aria-describedby': `${id}-error` };
  }
  return note ? { 'aria-describedby': `${id}-note` } : {};
}
