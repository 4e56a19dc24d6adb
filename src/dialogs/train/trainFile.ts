import { Notification } from '@jupyterlab/apputils';
import { TranslationBundle } from '@jupyterlab/translation';
import { IVertexAPI } from '../../api/vertexAPI';
import { IJob } from '../../api/types';
import { TrainDialog } from './TrainDialog';

/**
 * The path, if it names a file that can be trained (`.py`, `.ipynb`).
 */
export function trainablePath(path: string): string | null {
  return /\.(py|ipynb)$/i.test(path) ? path : null;
}

/**
 * Open the Train dialog for a file. The dialog creates the job itself and
 * stays open while the server refuses the request (the reason shown at its
 * field); on success a notification offers to show the job.
 *
 * @returns the created job, or `null` if the user cancelled
 */
export async function trainFile(options: {
  api: IVertexAPI;
  path: string;
  trans: TranslationBundle;
  /** The `defaultMachineType` setting. */
  defaultMachineType?: string | null;
  onShowJob: (job: IJob) => void;
}): Promise<IJob | null> {
  const { api, path, trans } = options;
  const dialog = new TrainDialog({
    api,
    path,
    trans,
    defaultMachineType: options.defaultMachineType
  });
  const result = await dialog.launch();
  const job = result.button.accept ? result.value : null;
  dialog.dispose();
  if (!job) {
    return null;
  }
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
}
