import * as React from 'react';
import { withInlineCode } from '../../components/format';

import { Field, NumberInput, Select, TextInput } from '../../components/form';
import { DISK_TYPES, InstanceField } from './form';

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
 * A disk's type and size, side by side.
 */
export function DiskFields(props: {
  type: IBoundField;
  size: IBoundField;
  typeLabel: string;
  sizeLabel: string;
  range: { min: number; max: number };
}): JSX.Element {
  const { type, size, range } = props;
  return (
    <div className="jp-Vertex-form-row">
      <Field {...at(type.id)} label={props.typeLabel} error={coded(type.error)}>
        {control => (
          <Select
            {...control}
            value={type.value}
            choices={DISK_TYPES.map(value => ({ value, label: value }))}
            onChange={type.onChange}
          />
        )}
      </Field>
      <Field {...at(size.id)} label={props.sizeLabel} error={coded(size.error)}>
        {control => (
          <NumberInput
            {...control}
            min={range.min}
            max={range.max}
            value={size.value}
            onChange={size.onChange}
          />
        )}
      </Field>
    </div>
  );
}
