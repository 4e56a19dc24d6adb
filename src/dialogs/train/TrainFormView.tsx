import { Clipboard } from '@jupyterlab/apputils';
import * as React from 'react';
import { withInlineCode } from '../../components/format';
import { Field, fieldAria } from '../../components/form';
import {
  acceleratorChoices,
  acceleratorRequired,
  countChoices,
  frameworkVersions,
  machineChoices
} from './form';
import { GitState } from './GitState';
import { ITrainFormViewProps } from './state';
import { ContainerFieldset } from './ContainerFieldset';
import { MachineFieldset } from './MachineFieldset';
import { ArgumentsFieldset } from './ArgumentsFieldset';
import { ModelFieldset } from './ModelFieldset';
import { LabelsFieldset } from './LabelsFieldset';

/**
 * The dialog's form; stateless, driven by the body widget.
 */
export function TrainFormView(props: TrainFormView.IProps): JSX.Element {
  const { ids, path, state, trans, onChange } = props;
  const { options, form, errors } = state;
  const id = (field: string) => `${ids}-${field}`;
  const versions = options ? frameworkVersions(options, form.framework) : [];
  const machines = options ? machineChoices(options, form) : [];
  const accelerators = options ? acceleratorChoices(options, form) : [];
  const counts = options ? countChoices(options, form) : [];
  const required = options ? acceleratorRequired(options, form) : false;
  const disabled = !options;
  const fieldset = {
    ...props,
    id,
    versions,
    machines,
    accelerators,
    counts,
    required,
    disabled
  };
  return (
    <div className="jp-Vertex-form" aria-busy={state.submitting}>
      <p className="jp-Vertex-form-file">
        {trans.__('Train %1 on Vertex AI.', path)}
      </p>
      <GitState
        provenance={state.provenance}
        error={state.provenanceError}
        trans={trans}
      />
      {state.optionsError ? (
        <div className="jp-Vertex-Banner jp-Vertex-Banner-compact" role="alert">
          <div className="jp-Vertex-Banner-message">
            {trans.__(
              'Could not load the training options: %1',
              state.optionsError.message
            )}
          </div>
        </div>
      ) : null}
      {state.general ? (
        <div className="jp-Vertex-Banner jp-Vertex-Banner-compact" role="alert">
          <div className="jp-Vertex-Banner-message">
            {state.general.message}
          </div>
          {state.general.hint ? (
            <div className="jp-Vertex-Banner-hint">
              {withInlineCode(state.general.hint)}
            </div>
          ) : null}
        </div>
      ) : null}

      <Field
        id={id('displayName')}
        label={trans.__('Display name')}
        error={errors.displayName}
      >
        <input
          id={id('displayName')}
          className="jp-mod-styled"
          type="text"
          value={form.displayName}
          onChange={e => onChange({ displayName: e.target.value })}
          {...fieldAria(id('displayName'), errors.displayName)}
        />
      </Field>

      <ContainerFieldset {...fieldset} />

      <MachineFieldset {...fieldset} />

      <ArgumentsFieldset {...fieldset} />

      <ModelFieldset {...fieldset} />

      <LabelsFieldset {...fieldset} />

      <div className="jp-Vertex-codePreview">
        <div className="jp-Vertex-codePreview-actions">
          <button
            type="button"
            className="jp-Button jp-mod-styled jp-mod-reject jp-Vertex-action"
            disabled={disabled || state.codeLoading}
            aria-expanded={state.code !== null}
            onClick={
              state.code !== null && !state.codeStale
                ? props.onHideCode
                : props.onShowCode
            }
          >
            {state.codeLoading
              ? trans.__('Writing the SDK code…')
              : state.code === null
                ? trans.__('Show SDK code')
                : state.codeStale
                  ? trans.__('Update SDK code')
                  : trans.__('Hide SDK code')}
          </button>
          {state.code !== null ? (
            <button
              type="button"
              className="jp-Button jp-mod-styled jp-mod-reject jp-Vertex-action"
              onClick={() => Clipboard.copyToSystem(state.code ?? '')}
            >
              {trans.__('Copy code')}
            </button>
          ) : null}
        </div>
        {state.code !== null ? (
          <pre
            className={
              'jp-Vertex-code' + (state.codeStale ? ' jp-Vertex-mod-stale' : '')
            }
            aria-label={trans.__('Equivalent Python SDK code')}
            tabIndex={0}
          >
            {state.code}
          </pre>
        ) : null}
        {state.code !== null && state.codeStale ? (
          <div className="jp-Vertex-fieldNote">
            {trans.__('The form changed since: update the code to see it.')}
          </div>
        ) : null}
      </div>
      {state.submitting ? (
        <div className="jp-Vertex-placeholder" role="status">
          {trans.__('Packaging and submitting…')}
        </div>
      ) : null}
    </div>
  );
}

export namespace TrainFormView {
  export type IProps = ITrainFormViewProps;
}
