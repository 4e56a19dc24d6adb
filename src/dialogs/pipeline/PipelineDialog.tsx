import { Dialog, InputDialog, showDialog } from '@jupyterlab/apputils';
import { TranslationBundle } from '@jupyterlab/translation';
import { ReactWidget } from '@jupyterlab/ui-components';
import * as React from 'react';
import { VertexAPIError } from '../../api/request';
import type { IPipelineJob, IPipelineJobCreated } from '../../api/types';
import type { IVertexAPI } from '../../api/vertexAPI';
import {
  checkPipelineForm,
  initialPipelineForm,
  IPipelineForm,
  pipelineRequest
} from './form';
import { PipelineForm } from './PipelineForm';

export * from './form';

/**
 * The body of the Run as pipeline dialog (the form keeps its values between
 * renders; the dialog reads them with `getValue`).
 */
export class PipelineDialogBody extends ReactWidget {
  constructor(options: {
    form: IPipelineForm;
    error: VertexAPIError | null;
    trans: TranslationBundle;
    loadCode?: (form: IPipelineForm) => Promise<string>;
  }) {
    super();
    this._options = options;
    this._form = options.form;
    this.addClass('jp-Vertex-PipelineDialog');
  }

  getValue(): IPipelineForm {
    return { ...this._form };
  }

  protected render(): JSX.Element {
    return (
      <PipelineForm
        {...this._options}
        form={this._form}
        onChange={form => {
          this._form = form;
          this.update();
        }}
      />
    );
  }

  private _options: ConstructorParameters<typeof PipelineDialogBody>[0];
  private _form: IPipelineForm;
}

/**
 * Ask for a run's values, then `submit` them. A 4xx answer opens the dialog
 * again with the server's message at the field it names and the same values.
 *
 * @returns what `submit` answered, or `null` if cancelled
 */
export async function pipelineDialog(options: {
  title: string;
  action: string;
  form: IPipelineForm;
  trans: TranslationBundle;
  submit: (form: IPipelineForm) => Promise<IPipelineJobCreated>;
  loadCode?: (form: IPipelineForm) => Promise<string>;
}): Promise<IPipelineJobCreated | null> {
  const { trans } = options;
  let form = options.form;
  let error: VertexAPIError | null = null;
  for (;;) {
    const body = new PipelineDialogBody({
      form,
      error,
      trans,
      loadCode: options.loadCode
    });
    const result = await showDialog<IPipelineForm>({
      title: options.title,
      body,
      buttons: [
        Dialog.cancelButton({ label: trans.__('Cancel') }),
        Dialog.okButton({ label: options.action })
      ],
      focusNodeSelector: 'input, select'
    });
    if (!result.button.accept || !result.value) {
      return null;
    }
    form = result.value;
    if (Object.keys(checkPipelineForm(form, trans)).length > 0) {
      error = null;
      continue; // The form shows what to fix.
    }
    try {
      return await options.submit(form);
    } catch (reason) {
      error = VertexAPIError.from(reason);
      if (error.status >= 400 && error.status < 500) {
        continue;
      }
      throw error;
    }
  }
}

/**
 * Run as pipeline for a file of the Jupyter root: its parameters from the
 * server's preview (a `.py` defining several pipelines asks which first),
 * the form, then the run.
 *
 * @returns the new run, or `null` if cancelled
 */
export async function runPipelineFile(options: {
  api: IVertexAPI;
  path: string;
  trans: TranslationBundle;
}): Promise<IPipelineJobCreated | null> {
  const { api, path, trans } = options;
  let pipeline: string | null = null;
  let preview;
  try {
    preview = await api.previewPipeline({ path });
  } catch (reason) {
    const error = VertexAPIError.from(reason);
    const names = /Choose one with 'pipeline': (.+)\.$/.exec(error.hint ?? '');
    if (!names) {
      throw error;
    }
    const chosen = await InputDialog.getItem({
      title: trans.__('Which pipeline of %1?', path),
      items: names[1].split(', ')
    });
    if (!chosen.button.accept || !chosen.value) {
      return null;
    }
    pipeline = chosen.value;
    preview = await api.previewPipeline({ path, pipeline });
  }
  const form = initialPipelineForm({
    path,
    pipeline: preview.pipeline,
    parameters: preview.parameters,
    pipelineRoot: preview.pipelineRoot
  });
  return pipelineDialog({
    title: trans.__('Run "%1" as a pipeline', preview.pipelineName),
    action: trans.__('Run'),
    form,
    trans,
    submit: value => api.createPipelineJob(pipelineRequest(value, trans)),
    loadCode: async value =>
      (await api.previewPipeline(pipelineRequest(value, trans))).code
  });
}

/**
 * Re-run a pipeline job with its own pipeline, changing values if wanted.
 */
export function rerunPipelineJob(options: {
  api: IVertexAPI;
  job: IPipelineJob;
  trans: TranslationBundle;
}): Promise<IPipelineJobCreated | null> {
  const { api, job, trans } = options;
  const form = initialPipelineForm({
    path: '',
    parameters: job.parameters ?? [],
    pipelineRoot: job.pipelineRoot ?? '',
    displayName: job.displayName,
    values: job.parameterValues
  });
  return pipelineDialog({
    title: trans.__('Re-run "%1"', job.displayName || job.id),
    action: trans.__('Re-run'),
    form,
    trans,
    submit: value => {
      const { parameterValues, pipelineRoot, enableCaching, displayName } =
        pipelineRequest(value, trans);
      return api.rerunPipelineJob(job.id, {
        parameterValues,
        pipelineRoot,
        enableCaching,
        displayName
      });
    }
  });
}
