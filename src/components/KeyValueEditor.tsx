import { TranslationBundle } from '@jupyterlab/translation';
import { addIcon, closeIcon } from '@jupyterlab/ui-components';
import * as React from 'react';

/**
 * One row of a key/value editor (env vars, labels).
 */
export interface IKeyValueRow {
  key: string;
  value: string;
}

/**
 * Rows of name/value pairs (environment variables, labels) with add and
 * remove buttons; every control has its own accessible name.
 */
export function KeyValueEditor(props: KeyValueEditor.IProps): JSX.Element {
  const { id, rows, trans, error } = props;
  const set = (index: number, change: Partial<IKeyValueRow>) => {
    props.onChange(current =>
      current.map((row, i) => (i === index ? { ...row, ...change } : row))
    );
  };
  const errorId = `${id}-error`;
  return (
    <div
      className="jp-Vertex-KeyValue"
      id={id}
      role="group"
      aria-label={props.label}
      aria-describedby={error ? errorId : undefined}
      aria-invalid={error ? true : undefined}
      tabIndex={-1}
    >
      {rows.map((row, index) => (
        <div className="jp-Vertex-KeyValue-row" key={index}>
          <input
            className="jp-mod-styled"
            type="text"
            aria-label={trans.__('%1 %2: name', props.itemLabel, index + 1)}
            placeholder={props.keyPlaceholder}
            value={row.key}
            spellCheck={false}
            onChange={e => set(index, { key: e.target.value })}
          />
          <span aria-hidden="true">=</span>
          <input
            className="jp-mod-styled"
            type="text"
            aria-label={trans.__('%1 %2: value', props.itemLabel, index + 1)}
            placeholder={props.valuePlaceholder}
            value={row.value}
            spellCheck={false}
            onChange={e => set(index, { value: e.target.value })}
          />
          <button
            type="button"
            className="jp-Button jp-mod-minimal jp-mod-small jp-Vertex-iconButton"
            aria-label={trans.__('Remove %1 %2', props.itemLabel, index + 1)}
            title={trans.__('Remove')}
            onClick={() =>
              props.onChange(current => current.filter((_, i) => i !== index))
            }
          >
            <closeIcon.react tag="span" elementSize="normal" />
          </button>
        </div>
      ))}
      <button
        type="button"
        className="jp-Button jp-mod-minimal jp-mod-small jp-Vertex-addRow"
        onClick={() =>
          props.onChange(current => [...current, { key: '', value: '' }])
        }
      >
        <addIcon.react tag="span" elementSize="normal" />
        <span>{props.addLabel}</span>
      </button>
      {error ? (
        <div id={errorId} className="jp-Vertex-fieldError" role="alert">
          {error}
        </div>
      ) : null}
    </div>
  );
}

export namespace KeyValueEditor {
  export interface IProps {
    id: string;
    /** The group's accessible name. */
    label: string;
    /** The name of one row, e.g. "Variable" (rows are "Variable 1" …). */
    itemLabel: string;
    addLabel: string;
    keyPlaceholder?: string;
    valuePlaceholder?: string;
    rows: IKeyValueRow[];
    error?: string;
    trans: TranslationBundle;
    /**
     * Called with an update of the current rows (two quick clicks both count).
     */
    onChange: (update: (rows: IKeyValueRow[]) => IKeyValueRow[]) => void;
  }
}
