import { Dialog, showDialog } from '@jupyterlab/apputils';
import { TranslationBundle } from '@jupyterlab/translation';
import { ReactWidget } from '@jupyterlab/ui-components';
import * as React from 'react';
import { IVertexAPI } from '../../api/vertexAPI';
import { VertexAPIError } from '../../api/request';
import { IOperation } from '../../api/types';

import type { IOperationFollower } from '../../model/operations';
import { InstanceForm } from './InstanceForm';
import {
  IMachineOption,
  IInstanceForm,
  instanceRequest,
  validateInstanceForm,
  defaultInstanceForm
} from './form';

export * from './form';
export * from './InstanceForm';

/**
 * The body of the Create instance dialog.
 */
export class InstanceDialogBody extends ReactWidget {
  constructor(options: InstanceDialogBody.IOptions) {
    super();
    this._form = { ...options.form };
    this._machines = options.machines;
    this._serverError = options.serverError ?? null;
    this._showAll = options.showAllErrors ?? false;
    this._trans = options.trans;
    this.addClass('jp-Vertex-InstanceDialog');
  }

  getValue(): IInstanceForm {
    return { ...this._form };
  }

  protected render(): JSX.Element {
    return (
      <InstanceForm
        initial={this._form}
        machines={this._machines}
        serverError={this._serverError}
        showAllErrors={this._showAll}
        trans={this._trans}
        onChange={form => {
          this._form = form;
        }}
      />
    );
  }

  private _form: IInstanceForm;
  private _machines: ReadonlyArray<IMachineOption> | null;
  private _serverError: VertexAPIError | null;
  private _showAll: boolean;
  private _trans: TranslationBundle;
}

export namespace InstanceDialogBody {
  export interface IOptions {
    form: IInstanceForm;
    /**
     * The server's machine/accelerator table; `null` when it is not
     * available (the server then judges the choice when creating).
     */
    machines: ReadonlyArray<IMachineOption> | null;
    serverError?: VertexAPIError | null;
    /**
     * Show every field's problem (after a refused submit), not only those
     * of fields already edited.
     */
    showAllErrors?: boolean;
    trans: TranslationBundle;
  }
}

/**
 * Ask for the instance's options, then create it and follow the operation.
 * The dialog opens again, with the same values, while the form has problems
 * or the server refuses it (its message under the field it names).
 *
 * @returns the create operation once started, or `null` if cancelled
 */
export async function createInstanceFlow(options: {
  api: IVertexAPI;
  follower: IOperationFollower | null;
  machines: ReadonlyArray<IMachineOption> | null;
  trans: TranslationBundle;
  onChanged: () => void;
}): Promise<IOperation | null> {
  const { api, follower, machines, trans } = options;
  let form = defaultInstanceForm();
  let serverError: VertexAPIError | null = null;
  let showAllErrors = false;
  for (;;) {
    const body = new InstanceDialogBody({
      form,
      machines,
      serverError,
      showAllErrors,
      trans
    });
    const result = await showDialog<IInstanceForm>({
      title: trans.__('Create instance'),
      body,
      buttons: [
        Dialog.cancelButton({ label: trans.__('Cancel') }),
        Dialog.okButton({ label: trans.__('Create') })
      ],
      focusNodeSelector: 'input'
    });
    if (!result.button.accept || !result.value) {
      return null;
    }
    form = result.value;
    serverError = null;
    if (Object.keys(validateInstanceForm(form, trans)).length > 0) {
      showAllErrors = true;
      continue;
    }
    let operation: IOperation;
    try {
      operation = await api.createInstance(instanceRequest(form));
    } catch (reason) {
      // Shown in the dialog, at the field it names (else above the form),
      // with the user's values kept.
      serverError = VertexAPIError.from(reason);
      continue;
    }
    const id = form.instanceId.trim();
    options.onChanged();
    if (follower) {
      void follower
        .track(
          {
            ...operation,
            kind: 'createInstance',
            target: operation.target ?? id
          },
          {
            label: trans.__('Creating instance "%1"', id),
            successMessage: trans.__('Instance "%1" is ready.', id)
          }
        )
        .catch(() => undefined) // The notification says why.
        .then(() => options.onChanged());
    }
    return operation;
  }
}
