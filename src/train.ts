import { Dialog, Notification, showDialog } from '@jupyterlab/apputils';
import { TranslationBundle } from '@jupyterlab/translation';
import { IVertexAPI } from './api';
import { VertexAPIError } from './request';
import { IJob } from './tokens';
import {
  defaultTrainForm,
  ITrainForm,
  TrainDialogBody,
  trainingRequest
} from './widgets/TrainDialog';

/**
 * The path, if it names a file that can be trained (`.py`, `.ipynb`).
 */
export function trainablePath(path: string): string | null {
  return /\.(py|ipynb)$/i.test(path) ? path : null;
}

/**
 * Ask for the training options, then create the job. On a 4xx answer the
 * dialog opens again with the server's message and hint and the same values;
 * on success a notification offers to show the job.
 *
 * @returns the created job, or `null` if the user cancelled
 */
export async function trainFile(options: {
  api: IVertexAPI;
  path: string;
  region: string | null;
  trans: TranslationBundle;
  onShowJob: (job: IJob) => void;
}): Promise<IJob | null> {
  const { api, path, region, trans } = options;
  let form: ITrainForm = defaultTrainForm(path, region);
  let error: VertexAPIError | null = null;
  for (;;) {
    const body = new TrainDialogBody({ path, form, region, error, trans });
    const result = await showDialog<ITrainForm>({
      title: trans.__('Train on Vertex'),
      body,
      buttons: [
        Dialog.cancelButton({ label: trans.__('Cancel') }),
        Dialog.okButton({ label: trans.__('Train') })
      ],
      focusNodeSelector: 'input'
    });
    if (!result.button.accept || !result.value) {
      return null;
    }
    form = result.value;
    try {
      const job = await api.createJob(trainingRequest(path, form));
      Notification.success(
        trans.__('Training "%1" started on Vertex AI.', job.displayName),
        {
          autoClose: 8000,
          actions: [
            {
              label: trans.__('Show job'),
              callback: () => options.onShowJob(job)
            }
          ]
        }
      );
      return job;
    } catch (reason) {
      error = VertexAPIError.from(reason);
      if (error.status >= 400 && error.status < 500) {
        continue; // Shown in the dialog, with the user's values.
      }
      Notification.error(
        error.hint
          ? trans.__(
              'Could not start training: %1 %2',
              error.message,
              error.hint
            )
          : trans.__('Could not start training: %1', error.message),
        { autoClose: false }
      );
      return null;
    }
  }
}
