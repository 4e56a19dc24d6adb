import { Dialog, showDialog } from '@jupyterlab/apputils';
import { ReactWidget } from '@jupyterlab/ui-components';
import * as React from 'react';
import { VertexAPIError } from '../../api/request';
import { IBatchCreated } from '../../api/types';
import { BatchForm } from './BatchForm';
import {
  batchRequest,
  checkBatchForm,
  IBatchDialogOptions,
  IBatchForm
} from './form';

export * from './form';

/**
 * The body of the Batch predict dialog (the form keeps its values between
 * renders; the dialog reads them with `getValue`).
 */
export class BatchDialogBody extends ReactWidget {
  constructor(options: IBatchDialogOptions) {
    super();
    this._options = options;
    this._form = { ...options.form };
    this.addClass('jp-Vertex-BatchDialog');
  }

  getValue(): IBatchForm {
    return { ...this._form };
  }

  protected render(): JSX.Element {
    return (
      <BatchForm
        {...this._options}
        form={this._form}
        onChange={form => {
          this._form = form;
          this.update();
        }}
      />
    );
  }

  private _options: IBatchDialogOptions;
  private _form: IBatchForm;
}

/**
 * Ask for the batch prediction job, then create it. On a 4xx answer the
 * dialog opens again with the server's message at the field it names and
 * the same values.
 *
 * @returns the new job and its SDK code, or `null` if cancelled
 */
export async function batchDialog(
  options: Omit<IBatchDialogOptions, 'error'>
): Promise<IBatchCreated | null> {
  const { api, trans } = options;
  let form = options.form;
  let error: VertexAPIError | null = null;
  for (;;) {
    const body = new BatchDialogBody({ ...options, form, error });
    const result = await showDialog<IBatchForm>({
      title: trans.__(
        'Batch predict with "%1"',
        options.model.displayName || options.model.id
      ),
      body,
      buttons: [
        Dialog.cancelButton({ label: trans.__('Cancel') }),
        Dialog.okButton({ label: trans.__('Start batch job') })
      ],
      focusNodeSelector: 'input'
    });
    if (!result.button.accept || !result.value) {
      return null;
    }
    form = result.value;
    if (Object.keys(checkBatchForm(form, trans)).length > 0) {
      error = null;
      continue; // The form shows what to fix.
    }
    try {
      return await api.createBatchJob(form.modelId, batchRequest(form));
    } catch (reason) {
      error = VertexAPIError.from(reason);
      if (error.status >= 400 && error.status < 500) {
        continue;
      }
      throw error;
    }
  }
}
