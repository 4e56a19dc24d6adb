import { Clipboard, Dialog } from '@jupyterlab/apputils';
import { TranslationBundle } from '@jupyterlab/translation';
import { ReactWidget } from '@jupyterlab/ui-components';
import { MessageLoop } from '@lumino/messaging';
import { Widget } from '@lumino/widgets';
import * as React from 'react';
import { IVertexAPI } from '../../api/vertexAPI';
import { VertexAPIError } from '../../api/request';
import {
  IJob,
  IModel,
  ITrainingOptions,
  ITrainingProvenance
} from '../../api/types';
import { withInlineCode } from '../../components/format';
import { KeyValueEditor } from '../../components/KeyValueEditor';
import { RadioOption } from '../../components/RadioOption';
import {
  acceleratorChoices,
  acceleratorRequired,
  countChoices,
  defaultTrainForm,
  errorText,
  FIELD_ORDER,
  trainFieldOfMessage,
  Framework,
  frameworkVersions,
  ITrainForm,
  machineChoices,
  normalize,
  TrainErrors,
  TrainField,
  trainingRequest,
  validateForm
} from './form';

export * from './form';

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

/**
 * A labelled control with its error below it.
 */
function Field(props: {
  id: string;
  label: string;
  error?: string;
  note?: React.ReactNode;
  children: React.ReactNode;
}): JSX.Element {
  return (
    <div
      className={
        'jp-Vertex-form-field' + (props.error ? ' jp-Vertex-mod-invalid' : '')
      }
    >
      <label htmlFor={props.id}>{props.label}</label>
      {props.children}
      {props.note ? (
        <div className="jp-Vertex-fieldNote">{props.note}</div>
      ) : null}
      {props.error ? (
        <div
          id={`${props.id}-error`}
          className="jp-Vertex-fieldError"
          role="alert"
        >
          {props.error}
        </div>
      ) : null}
    </div>
  );
}

/**
 * ARIA attributes of a control with an optional error.
 */
function aria(id: string, error?: string): Record<string, unknown> {
  return error
    ? { 'aria-invalid': true, 'aria-describedby': `${id}-error` }
    : {};
}

/**
 * Vertex AI's accelerator names as people write them.
 */
export function acceleratorLabel(name: string): string {
  const known: Record<string, string> = {
    NVIDIA_TESLA_T4: 'NVIDIA T4',
    NVIDIA_TESLA_V100: 'NVIDIA V100',
    NVIDIA_TESLA_P100: 'NVIDIA P100',
    NVIDIA_TESLA_P4: 'NVIDIA P4',
    NVIDIA_TESLA_A100: 'NVIDIA A100 40GB',
    NVIDIA_A100_80GB: 'NVIDIA A100 80GB',
    NVIDIA_L4: 'NVIDIA L4',
    NVIDIA_H100_80GB: 'NVIDIA H100 80GB'
  };
  return known[name] ?? name;
}

/**
 * The git state of the file: commit, branch, and a warning for uncommitted
 * changes.
 */
function GitState(props: {
  provenance: ITrainingProvenance | null;
  error: VertexAPIError | null;
  trans: TranslationBundle;
}): JSX.Element {
  const { provenance, error, trans } = props;
  let body: React.ReactNode;
  if (error) {
    body = <span className="jp-Vertex-fieldError">{errorText(error)}</span>;
  } else if (!provenance) {
    body = <span>{trans.__('Reading the git state…')}</span>;
  } else if (!provenance.git) {
    body = (
      <span>
        {trans.__('Not in a git repository: the job will not record a commit.')}
      </span>
    );
  } else {
    const { commit, branch, dirty } = provenance.git;
    body = (
      <>
        <span className="jp-Vertex-gitCommit">
          {branch
            ? trans.__('Commit %1 on branch %2', commit, branch)
            : trans.__('Commit %1 (detached HEAD)', commit)}
        </span>
        {dirty ? (
          <div className="jp-Vertex-warning" role="note">
            {trans.__(
              'Uncommitted changes: the job runs the files as they are now, not as in commit %1. Commit them to be able to reproduce this run.',
              commit
            )}
          </div>
        ) : null}
      </>
    );
  }
  return (
    <div
      className="jp-Vertex-gitState"
      role="status"
      aria-label={trans.__('Git state')}
    >
      {body}
    </div>
  );
}

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
          {...aria(id('displayName'), errors.displayName)}
        />
      </Field>

      <fieldset className="jp-Vertex-fieldset">
        <legend>{trans.__('Container')}</legend>
        <div
          className="jp-Vertex-radios"
          role="radiogroup"
          aria-label={trans.__('Container')}
        >
          <RadioOption
            name={id('container')}
            checked={form.container === 'prebuilt'}
            onSelect={() => onChange({ container: 'prebuilt' })}
          >
            {trans.__('Prebuilt framework')}
          </RadioOption>
          <RadioOption
            name={id('container')}
            checked={form.container === 'custom'}
            onSelect={() => onChange({ container: 'custom' })}
          >
            {trans.__('Custom image')}
          </RadioOption>
        </div>
        {form.container === 'prebuilt' ? (
          <div className="jp-Vertex-form-row">
            <Field
              id={id('framework')}
              label={trans.__('Framework')}
              error={errors.framework}
            >
              <select
                id={id('framework')}
                className="jp-mod-styled"
                value={form.framework}
                disabled={disabled}
                onChange={e =>
                  onChange({
                    framework: e.target.value as Framework,
                    frameworkVersion: ''
                  })
                }
                {...aria(id('framework'), errors.framework)}
              >
                {(options?.frameworks ?? [{ name: form.framework }]).map(f => (
                  <option key={f.name} value={f.name}>
                    {f.name}
                  </option>
                ))}
              </select>
            </Field>
            <Field
              id={id('frameworkVersion')}
              label={trans.__('Version')}
              error={errors.frameworkVersion}
            >
              <select
                id={id('frameworkVersion')}
                className="jp-mod-styled"
                value={form.frameworkVersion}
                disabled={disabled}
                onChange={e => onChange({ frameworkVersion: e.target.value })}
                {...aria(id('frameworkVersion'), errors.frameworkVersion)}
              >
                {versions.map(v => (
                  <option key={v.version} value={v.version}>
                    {v.gpu ? v.version : trans.__('%1 (CPU only)', v.version)}
                  </option>
                ))}
              </select>
            </Field>
          </div>
        ) : (
          <Field
            id={id('imageUri')}
            label={trans.__('Training image')}
            error={errors.imageUri}
          >
            <input
              id={id('imageUri')}
              className="jp-mod-styled"
              type="text"
              spellCheck={false}
              placeholder="us-docker.pkg.dev/my-project/repo/trainer:latest"
              value={form.imageUri}
              onChange={e => onChange({ imageUri: e.target.value })}
              {...aria(id('imageUri'), errors.imageUri)}
            />
          </Field>
        )}
      </fieldset>

      <fieldset className="jp-Vertex-fieldset">
        <legend>{trans.__('Machine')}</legend>
        <div className="jp-Vertex-form-row">
          <Field
            id={id('machineType')}
            label={trans.__('Machine type')}
            error={errors.machineType}
          >
            <select
              id={id('machineType')}
              className="jp-mod-styled"
              value={form.machineType}
              disabled={disabled}
              onChange={e => onChange({ machineType: e.target.value })}
              {...aria(id('machineType'), errors.machineType)}
            >
              {(machines.length
                ? machines.map(m => m.machineType)
                : [form.machineType]
              ).map(m => (
                <option key={m} value={m}>
                  {m}
                </option>
              ))}
            </select>
          </Field>
          <Field
            id={id('replicaCount')}
            label={trans.__('Replicas')}
            error={errors.replicaCount}
          >
            <input
              id={id('replicaCount')}
              className="jp-mod-styled"
              type="number"
              step={1}
              value={Number.isNaN(form.replicaCount) ? '' : form.replicaCount}
              onChange={e =>
                onChange({ replicaCount: parseInt(e.target.value, 10) })
              }
              {...aria(id('replicaCount'), errors.replicaCount)}
            />
          </Field>
        </div>
        <div className="jp-Vertex-form-row">
          <Field
            id={id('acceleratorType')}
            label={trans.__('Accelerator')}
            error={errors.acceleratorType}
            note={
              options && accelerators.length === 0
                ? form.container === 'prebuilt' &&
                  options.machineTypes.find(
                    m => m.machineType === form.machineType
                  )?.acceleratorTypes.length
                  ? trans.__('This framework version has no GPU image.')
                  : trans.__('This machine type takes no accelerator.')
                : required
                  ? trans.__('Comes with this machine type.')
                  : null
            }
          >
            <select
              id={id('acceleratorType')}
              className="jp-mod-styled"
              value={form.acceleratorType}
              disabled={disabled || accelerators.length === 0}
              onChange={e => onChange({ acceleratorType: e.target.value })}
              {...aria(id('acceleratorType'), errors.acceleratorType)}
            >
              {required ? null : <option value="">{trans.__('None')}</option>}
              {accelerators.map(a => (
                <option key={a} value={a}>
                  {acceleratorLabel(a)}
                </option>
              ))}
            </select>
          </Field>
          <Field
            id={id('acceleratorCount')}
            label={trans.__('Accelerator count')}
            error={errors.acceleratorCount}
          >
            <select
              id={id('acceleratorCount')}
              className="jp-mod-styled"
              value={form.acceleratorType ? String(form.acceleratorCount) : ''}
              disabled={disabled || counts.length <= 1}
              onChange={e =>
                onChange({ acceleratorCount: Number(e.target.value) })
              }
              {...aria(id('acceleratorCount'), errors.acceleratorCount)}
            >
              {counts.length === 0 ? <option value="">–</option> : null}
              {counts.map(c => (
                <option key={c} value={String(c)}>
                  {c}
                </option>
              ))}
            </select>
          </Field>
        </div>
      </fieldset>

      <fieldset className="jp-Vertex-fieldset">
        <legend>{trans.__('Arguments and environment')}</legend>
        <Field
          id={id('args')}
          label={trans.__('Arguments (one per line)')}
          error={errors.args}
        >
          <textarea
            id={id('args')}
            className="jp-mod-styled jp-Vertex-args"
            rows={4}
            spellCheck={false}
            placeholder={'--epochs\n10'}
            value={form.args}
            onChange={e => onChange({ args: e.target.value })}
            {...aria(id('args'), errors.args)}
          />
        </Field>
        <KeyValueEditor
          id={id('env')}
          label={trans.__('Environment variables')}
          itemLabel={trans.__('Variable')}
          addLabel={trans.__('Add variable')}
          keyPlaceholder="NAME"
          valuePlaceholder={trans.__('value')}
          rows={form.env}
          error={errors.env}
          trans={trans}
          onChange={update =>
            props.onUpdate(current => ({ env: update(current.env) }))
          }
        />
      </fieldset>

      <fieldset className="jp-Vertex-fieldset">
        <legend>{trans.__('Model')}</legend>
        <label className="jp-Vertex-form-check">
          <input
            type="checkbox"
            checked={form.registerModel}
            onChange={e => onChange({ registerModel: e.target.checked })}
          />
          <span>{trans.__('Register the trained model')}</span>
        </label>
        {form.registerModel ? (
          <>
            <div
              className="jp-Vertex-radios"
              role="radiogroup"
              aria-label={trans.__('Register as')}
            >
              <RadioOption
                name={id('modelMode')}
                checked={form.modelMode === 'new'}
                onSelect={() => onChange({ modelMode: 'new' })}
              >
                {trans.__('A new model')}
              </RadioOption>
              <RadioOption
                name={id('modelMode')}
                checked={form.modelMode === 'version'}
                onSelect={() => onChange({ modelMode: 'version' })}
              >
                {trans.__('A new version of a model')}
              </RadioOption>
            </div>
            {form.modelMode === 'new' ? (
              <Field
                id={id('modelDisplayName')}
                label={trans.__('Model name')}
                error={errors.modelDisplayName}
              >
                <input
                  id={id('modelDisplayName')}
                  className="jp-mod-styled"
                  type="text"
                  value={form.modelDisplayName}
                  onChange={e => onChange({ modelDisplayName: e.target.value })}
                  {...aria(id('modelDisplayName'), errors.modelDisplayName)}
                />
              </Field>
            ) : (
              <Field
                id={id('parentModel')}
                label={trans.__('Parent model')}
                error={
                  errors.parentModel ??
                  (state.modelsError ? errorText(state.modelsError) : undefined)
                }
              >
                <select
                  id={id('parentModel')}
                  className="jp-mod-styled"
                  value={form.parentModel}
                  disabled={state.models === null}
                  onChange={e => onChange({ parentModel: e.target.value })}
                  {...aria(id('parentModel'), errors.parentModel)}
                >
                  <option value="">
                    {state.models === null
                      ? trans.__('Loading models…')
                      : state.models.length === 0
                        ? trans.__('No models yet')
                        : trans.__('Choose a model')}
                  </option>
                  {(state.models ?? []).map(m => (
                    <option key={m.id} value={m.id}>
                      {trans.__(
                        '%1 (%2, version %3)',
                        m.displayName || m.id,
                        m.id,
                        m.versionId ?? '1'
                      )}
                    </option>
                  ))}
                </select>
              </Field>
            )}
            <Field
              id={id('servingImage')}
              label={trans.__('Serving container')}
              error={errors.servingImage}
            >
              <input
                id={id('servingImage')}
                className="jp-mod-styled"
                type="text"
                spellCheck={false}
                value={form.servingImage}
                onChange={e => onChange({ servingImage: e.target.value })}
                {...aria(id('servingImage'), errors.servingImage)}
              />
            </Field>
          </>
        ) : null}
      </fieldset>

      <fieldset className="jp-Vertex-fieldset">
        <legend>{trans.__('Labels')}</legend>
        <KeyValueEditor
          id={id('labels')}
          label={trans.__('Job labels')}
          itemLabel={trans.__('Label')}
          addLabel={trans.__('Add label')}
          keyPlaceholder="team"
          valuePlaceholder="ml"
          rows={form.labels}
          error={errors.labels}
          trans={trans}
          onChange={update =>
            props.onUpdate(current => ({ labels: update(current.labels) }))
          }
        />
      </fieldset>

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
  export interface IProps {
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
}
