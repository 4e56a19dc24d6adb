import { Dialog } from '@jupyterlab/apputils';
import { TranslationBundle } from '@jupyterlab/translation';
import { ReactWidget } from '@jupyterlab/ui-components';
import { MessageLoop } from '@lumino/messaging';
import { Widget } from '@lumino/widgets';
import * as React from 'react';
import { IVertexAPI } from '../../api/vertexAPI';
import { VertexAPIError } from '../../api/request';
import { IJob } from '../../api/types';
import {
  defaultTrainForm,
  errorText,
  FIELD_ORDER,
  trainFieldOfMessage,
  ITrainForm,
  normalize,
  TrainField,
  trainingRequest,
  validateForm
} from './form';

import { ITrainDialogState } from './state';
import { TrainFormView } from './TrainFormView';

export * from './form';
export * from './state';
export * from './TrainFormView';

let dialogCount = 0;

/**
 * The body of the Train dialog: the form, the file's git state and the SDK
 * code on request. It loads what it offers from the server
 * (`GET /training/options`) and submits itself (`submit`), so that a
 * refusal is shown at the field it names and the dialog stays open.
 */
export class TrainDialogBody extends ReactWidget {
  constructor(options: TrainDialogBody.IOptions) {
    super();
    this._api = options.api;
    this._path = options.path;
    this._trans = options.trans;
    this._defaultMachineType = options.defaultMachineType ?? null;
    this._ids = `jp-Vertex-train-${++dialogCount}`;
    this._state = {
      options: null,
      optionsError: null,
      provenance: null,
      provenanceError: null,
      form: defaultTrainForm(options.path, null, {
        machineType: this._defaultMachineType
      }),
      errors: {},
      general: null,
      models: null,
      modelsError: null,
      code: null,
      codeStale: false,
      codeLoading: false,
      submitting: false,
      servingTouched: false
    };
    this.addClass('jp-Vertex-TrainDialog');
    this.ready = Promise.all([
      this._loadOptions(),
      this._loadProvenance()
    ]).then(() => undefined);
  }

  /**
   * Resolves once the options and the git state are loaded (or failed).
   */
  readonly ready: Promise<void>;

  get state(): Readonly<ITrainDialogState> {
    return this._state;
  }

  /**
   * The created job, once `submit` succeeded.
   */
  getValue(): IJob | null {
    return this._job;
  }

  /**
   * Change the form (as the controls do); keeps it consistent with the
   * options and clears the errors of the fields that changed.
   */
  setForm(
    update: Partial<ITrainForm> | ((form: ITrainForm) => Partial<ITrainForm>)
  ): void {
    const change =
      typeof update === 'function' ? update(this._state.form) : update;
    const { options } = this._state;
    let form: ITrainForm = { ...this._state.form, ...change };
    if (
      change.framework !== undefined &&
      options &&
      !this._state.servingTouched
    ) {
      form.servingImage = options.servingImages[form.framework] ?? '';
    }
    if (options) {
      form = normalize(options, form);
    }
    const errors = { ...this._state.errors };
    for (const key of Object.keys(change)) {
      delete errors[key as TrainField];
      this._touched.add(key as keyof ITrainForm);
    }
    // The accelerator follows the machine: their errors go together.
    if ('machineType' in change || 'acceleratorType' in change) {
      delete errors.acceleratorType;
      delete errors.acceleratorCount;
      delete errors.machineType;
    }
    if ('modelMode' in change || 'registerModel' in change) {
      delete errors.parentModel;
      delete errors.modelDisplayName;
    }
    this._setState({
      form,
      errors,
      general: null,
      servingTouched:
        this._state.servingTouched || change.servingImage !== undefined,
      codeStale: this._state.code !== null
    });
    if (
      form.registerModel &&
      form.modelMode === 'version' &&
      this._state.models === null
    ) {
      void this._loadModels();
    }
  }

  /**
   * Check the form, then create the job.
   *
   * @returns the job, or `null` if the form or the server refused it (the
   * reasons are shown at their fields)
   */
  async submit(): Promise<IJob | null> {
    if (this._state.submitting || !this._checkLocally()) {
      return null;
    }
    this._setState({ submitting: true, general: null });
    try {
      this._job = await this._api.createJob(
        trainingRequest(this._path, this._state.form)
      );
      this._setState({ submitting: false });
      return this._job;
    } catch (reason) {
      this._showServerError(VertexAPIError.from(reason));
      this._setState({ submitting: false });
      await this._focusFirstError();
      return null;
    }
  }

  /**
   * Fetch and show the SDK code of the form as it is.
   */
  async showCode(): Promise<void> {
    if (!this._checkLocally()) {
      return;
    }
    this._setState({ codeLoading: true, general: null });
    try {
      const answer = await this._api.trainingCode(
        trainingRequest(this._path, this._state.form)
      );
      this._setState({
        code: answer.code,
        codeStale: false,
        codeLoading: false
      });
      // It appears below the form's end: bring it into view.
      await this._flush();
      this.node
        .querySelector('.jp-Vertex-code')
        ?.scrollIntoView?.({ block: 'nearest' });
    } catch (reason) {
      this._showServerError(VertexAPIError.from(reason));
      this._setState({ codeLoading: false });
      await this._focusFirstError();
    }
  }

  hideCode(): void {
    this._setState({ code: null, codeStale: false });
  }

  protected render(): JSX.Element {
    return (
      <TrainFormView
        ids={this._ids}
        path={this._path}
        state={this._state}
        trans={this._trans}
        onChange={change => this.setForm(change)}
        onUpdate={update => this.setForm(update)}
        onShowCode={() => void this.showCode()}
        onHideCode={() => this.hideCode()}
      />
    );
  }

  /**
   * Validate in the browser; show the errors and focus the first.
   */
  private _checkLocally(): boolean {
    const errors = validateForm(this._state.form, this._trans);
    if (Object.keys(errors).length === 0) {
      return true;
    }
    this._setState({ errors });
    void this._focusFirstError();
    return false;
  }

  private _showServerError(error: VertexAPIError): void {
    const field =
      error.status >= 400 && error.status < 500
        ? trainFieldOfMessage(error.message)
        : null;
    if (field && field !== 'path') {
      this._setState({
        errors: { ...this._state.errors, [field]: errorText(error) }
      });
    } else {
      this._setState({ general: error });
    }
  }

  private async _focusFirstError(): Promise<void> {
    await this._flush();
    const field = FIELD_ORDER.find(f => this._state.errors[f]);
    if (field) {
      const node = this.node.querySelector<HTMLElement>(
        `#${this._ids}-${field}`
      );
      node?.focus();
    }
  }

  private async _loadOptions(): Promise<void> {
    try {
      const options = await this._api.trainingOptions();
      const form = defaultTrainForm(this._path, options, {
        machineType: options.machineTypes.some(
          m => m.machineType === this._defaultMachineType
        )
          ? this._defaultMachineType
          : null
      });
      // What the user changed while the options loaded stays.
      const changed: Partial<ITrainForm> = {};
      for (const key of this._touched) {
        (changed as Record<string, unknown>)[key] = this._state.form[key];
      }
      this._setState({
        options,
        optionsError: null,
        form: normalize(options, { ...form, ...changed })
      });
    } catch (reason) {
      this._setState({ optionsError: VertexAPIError.from(reason) });
    }
  }

  private async _loadProvenance(): Promise<void> {
    try {
      const provenance = await this._api.trainingProvenance(this._path);
      this._setState({ provenance, provenanceError: null });
    } catch (reason) {
      this._setState({ provenanceError: VertexAPIError.from(reason) });
    }
  }

  private async _loadModels(): Promise<void> {
    this._setState({ modelsError: null });
    try {
      const page = await this._api.listModels({ pageSize: 500 });
      this._setState({ models: page.models });
    } catch (reason) {
      this._setState({ models: [], modelsError: VertexAPIError.from(reason) });
    }
  }

  private _setState(change: Partial<ITrainDialogState>): void {
    this._state = { ...this._state, ...change };
    this.update();
  }

  /**
   * Render now (tests and focus need the DOM up to date).
   */
  private async _flush(): Promise<void> {
    MessageLoop.sendMessage(this, Widget.Msg.UpdateRequest);
    await this.renderPromise;
  }

  private _api: IVertexAPI;
  private _path: string;
  private _trans: TranslationBundle;
  private _defaultMachineType: string | null;
  private _ids: string;
  private _state: ITrainDialogState;
  private _job: IJob | null = null;
  private _touched = new Set<keyof ITrainForm>();
}

export namespace TrainDialogBody {
  export interface IOptions {
    api: IVertexAPI;
    path: string;
    trans: TranslationBundle;
    /** The `defaultMachineType` setting. */
    defaultMachineType?: string | null;
  }
}

/**
 * The Train dialog: "Train" submits and the dialog closes only once the job
 * exists; a refusal keeps it open with the reason at its field.
 */
export class TrainDialog extends Dialog<IJob | null> {
  constructor(options: TrainDialog.IOptions) {
    const body = new TrainDialogBody(options);
    const { trans } = options;
    super({
      title: trans.__('Train on Vertex'),
      body,
      buttons: [
        Dialog.cancelButton({ label: trans.__('Cancel') }),
        Dialog.okButton({
          label: trans.__('Train'),
          ariaLabel: trans.__('Train')
        })
      ],
      focusNodeSelector: 'input'
    });
    this.addClass('jp-Vertex-TrainDialog-window');
    this.body = body;
  }

  readonly body: TrainDialogBody;

  resolve(index?: number): void {
    if ((index ?? TrainDialog.TRAIN_BUTTON) !== TrainDialog.TRAIN_BUTTON) {
      super.resolve(index);
      return;
    }
    // No second job from a second click while this one is being created.
    const train = this.node.querySelector<HTMLButtonElement>(
      '.jp-Dialog-button.jp-mod-accept'
    );
    if (train) {
      train.disabled = true;
    }
    void this.body.submit().then(job => {
      if (train) {
        train.disabled = false;
      }
      if (job) {
        super.resolve(TrainDialog.TRAIN_BUTTON);
      }
    });
  }
}

export namespace TrainDialog {
  export type IOptions = TrainDialogBody.IOptions;
  export const TRAIN_BUTTON = 1;
}
