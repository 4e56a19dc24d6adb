import { Dialog, showDialog } from '@jupyterlab/apputils';
import { ReactWidget } from '@jupyterlab/ui-components';
import * as React from 'react';
import { VertexAPIError } from '../../api/request';
import { IOperation } from '../../api/types';
import { DeployForm } from './DeployForm';
import { checkDeployForm, IDeployDialogOptions } from './form';
import { IDeployForm, deployRequest } from './form';

export * from './form';
export * from './DeployForm';
/**
 * The body of the Deploy dialog: a form, the SDK code on request, and the
 * server's answer when it refused the last attempt (at the field it names).
 */
export class DeployDialogBody extends ReactWidget {
  constructor(options: DeployDialogBody.IOptions) {
    super();
    this._options = options;
    this._form = { ...options.form };
    this._error = options.error ?? null;
    this.addClass('jp-Vertex-DeployDialog');
  }

  getValue(): IDeployForm {
    return { ...this._form };
  }

  protected render(): JSX.Element {
    return (
      <DeployForm
        {...this._options}
        form={this._form}
        error={this._error}
        onChange={form => {
          this._form = form;
          this.update();
        }}
      />
    );
  }

  private _options: DeployDialogBody.IOptions;
  private _form: IDeployForm;
  private _error: VertexAPIError | null;
}

export namespace DeployDialogBody {
  export type IOptions = IDeployDialogOptions;
}

/**
 * Ask for the deployment, then start it. On a 4xx answer the dialog opens
 * again with the server's message at the field it names and the same values.
 *
 * @returns the started operation and the request, or `null` if cancelled
 */
export async function deployDialog(
  options: Omit<DeployDialogBody.IOptions, 'error'>
): Promise<{ operation: IOperation; form: IDeployForm } | null> {
  const { api, trans } = options;
  let form = options.form;
  let error: VertexAPIError | null = null;
  for (;;) {
    const body = new DeployDialogBody({ ...options, form, error });
    const result = await showDialog<IDeployForm>({
      title: trans.__('Deploy "%1"', options.model.displayName),
      body,
      buttons: [
        Dialog.cancelButton({ label: trans.__('Cancel') }),
        Dialog.okButton({ label: trans.__('Deploy') })
      ],
      focusNodeSelector: 'select'
    });
    if (!result.button.accept || !result.value) {
      return null;
    }
    form = result.value;
    if (Object.keys(checkDeployForm(form, trans)).length > 0) {
      error = null;
      continue; // The form shows what to fix.
    }
    try {
      const operation = await api.deployModel(
        form.modelId,
        deployRequest(form)
      );
      return { operation, form };
    } catch (reason) {
      error = VertexAPIError.from(reason);
      if (error.status >= 400 && error.status < 500) {
        continue;
      }
      throw error;
    }
  }
}
