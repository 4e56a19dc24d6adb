import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';
import { withInlineCode } from '../../components/format';

import { Field, TextInput } from '../../components/form';
import { IInstanceForm, InstanceField } from './form';

/**
 * The fields the form holds as text under the API's name for them.
 */
export type TextFieldName = Exclude<InstanceField, 'containerImage'>;

/**
 * A control's value and what to do when it changes.
 */
export interface IBoundInput {
  value: string;
  onChange: (value: string) => void;
}

/**
 * A field's id (the API's name), its problem, value and change handler.
 */
export interface IBoundField extends IBoundInput {
  id: string;
  error: string | null;
}

/**
 * A labelled text box (a textarea when `rows` is given).
 */
export function TextField(
  props: IBoundField & {
    label: string;
    help?: string;
    placeholder?: string;
    maxLength?: number;
    autoComplete?: string;
    rows?: number;
  }
): JSX.Element {
  const { id, label, error, help, ...input } = props;
  return (
    <Field
      {...at(id)}
      label={label}
      error={coded(error)}
      note={error ? null : coded(help ?? null)}
    >
      {control => <TextInput {...control} {...input} />}
    </Field>
  );
}

/**
 * A message with its `code` spans, as the form shows errors and help.
 */
export function coded(text: string | null): React.ReactNode {
  return text === null ? null : withInlineCode(text);
}

/**
 * A field's control id and `data-field` name, from the API's name for it.
 */
export function at(name: string): { id: string; name: string } {
  return { id: `jp-Vertex-instance-${name}`, name };
}

/**
 * What each fieldset of the Create instance form is given by the form view.
 */
export interface IInstanceFieldsetProps {
  form: IInstanceForm;
  trans: TranslationBundle;
  /** Change the form; `field` marks that field edited (its problem shows). */
  set: (change: Partial<IInstanceForm>, field?: InstanceField) => void;
  /** The problem a field shows now, if any. */
  errorOf: (field: InstanceField) => string | null;
  /** A control's value and change handler, for a field held as text. */
  inputOf: (field: TextFieldName) => IBoundInput;
  /** The same with the field's id and problem, for a whole field. */
  bound: (field: TextFieldName) => IBoundField;
}
