import { TranslationBundle } from '@jupyterlab/translation';
import { IDeployForm } from './form';

/**
 * What each fieldset of the Deploy form is given by the form view.
 */
export interface IDeployFieldsetProps {
  form: IDeployForm;
  trans: TranslationBundle;
  /** Change the form (and hide the SDK code, now stale). */
  set: (change: Partial<IDeployForm>) => void;
  /** A field's control id, name and message, for a field the checks or the server may judge. */
  checked: (name: string) => { id: string; name: string; error: string | null };
}
