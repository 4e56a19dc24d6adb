import { TranslationBundle } from '@jupyterlab/translation';
import { VertexAPIError } from '../../api/request';
import { IModel, ITrainingOptions, ITrainingProvenance } from '../../api/types';
import {
  acceleratorChoices,
  countChoices,
  frameworkVersions,
  ITrainForm,
  machineChoices,
  TrainErrors
} from './form';

/**
 * Everything the Train dialog shows; the body widget owns it.
 */
export interface ITrainDialogState {
  options: ITrainingOptions | null;
  optionsError: VertexAPIError | null;
  provenance: ITrainingProvenance | null;
  provenanceError: VertexAPIError | null;
  form: ITrainForm;
  errors: TrainErrors;
  /** A refusal that names no field of the form. */
  general: VertexAPIError | null;
  models: IModel[] | null;
  modelsError: VertexAPIError | null;
  code: string | null;
  codeStale: boolean;
  codeLoading: boolean;
  submitting: boolean;
  /** The user typed a serving image: a framework change keeps it. */
  servingTouched: boolean;
}

/**
 * What the form view is given by the dialog's body widget.
 */
export interface ITrainFormViewProps {
  ids: string;
  path: string;
  state: ITrainDialogState;
  trans: TranslationBundle;
  onChange: (change: Partial<ITrainForm>) => void;
  /** A change computed from the form as it is when applied. */
  onUpdate: (update: (form: ITrainForm) => Partial<ITrainForm>) => void;
  onShowCode: () => void;
  onHideCode: () => void;
}

/**
 * What each fieldset of the form is given: the view's props and the choices
 * the training options leave for the form as it is.
 */
export interface ITrainFieldsetProps extends ITrainFormViewProps {
  /** The id of a field's control. */
  id: (field: string) => string;
  versions: ReturnType<typeof frameworkVersions>;
  machines: ReturnType<typeof machineChoices>;
  accelerators: ReturnType<typeof acceleratorChoices>;
  counts: ReturnType<typeof countChoices>;
  required: boolean;
  disabled: boolean;
}
