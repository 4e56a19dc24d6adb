import { Dialog, showDialog } from '@jupyterlab/apputils';
import { TranslationBundle } from '@jupyterlab/translation';
import { ReactWidget } from '@jupyterlab/ui-components';
import * as React from 'react';
import { IVertexAPI } from '../../api/vertexAPI';
import { VertexAPIError } from '../../api/request';
import { IInstanceCreate, IOperation, ITrainingMachine } from '../../api/types';
import { FormBanner } from '../../components/Banner';
import { withInlineCode } from '../../components/format';

import { RadioOption } from '../../components/RadioOption';
import type { IOperationFollower } from '../../model/operations';

/**
 * A machine type and the accelerators it takes, as `GET /training/options`
 * answers them (`machineTypes[]`): the server's own rule table.
 */
export type IMachineOption = ITrainingMachine;

export const DISK_TYPES = [
  'PD_BALANCED',
  'PD_SSD',
  'PD_STANDARD',
  'PD_EXTREME'
] as const;

/**
 * Vertex AI's instance id pattern.
 */
export const INSTANCE_ID_PATTERN = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;
export const BOOT_DISK_GB = { min: 150, max: 64000 };
export const DATA_DISK_GB = { min: 100, max: 64000 };
export const DEFAULT_INSTANCE_MACHINE = 'e2-standard-4';
export const DEFAULT_IMAGE_FAMILY = 'workbench-instances';

/**
 * What the Create instance form holds (text as typed).
 */
export interface IInstanceForm {
  instanceId: string;
  machineType: string;
  acceleratorType: string;
  acceleratorCount: string;
  installGpuDriver: boolean;
  bootDiskType: string;
  bootDiskSizeGb: string;
  dataDiskType: string;
  dataDiskSizeGb: string;
  image: 'vm' | 'container';
  vmImageFamily: string;
  containerRepository: string;
  containerTag: string;
  postStartupScript: string;
  metadata: string;
  networkTags: string;
  serviceAccount: string;
  labels: string;
}

/**
 * The fields of the form, as the API names them (server errors say
 * `Field 'bootDiskSizeGb': …`).
 */
export type InstanceField =
  | 'instanceId'
  | 'machineType'
  | 'acceleratorType'
  | 'acceleratorCount'
  | 'bootDiskType'
  | 'bootDiskSizeGb'
  | 'dataDiskType'
  | 'dataDiskSizeGb'
  | 'vmImageFamily'
  | 'containerImage'
  | 'postStartupScript'
  | 'metadata'
  | 'networkTags'
  | 'serviceAccount'
  | 'labels';

const FIELDS: ReadonlySet<string> = new Set<InstanceField>([
  'instanceId',
  'machineType',
  'acceleratorType',
  'acceleratorCount',
  'bootDiskType',
  'bootDiskSizeGb',
  'dataDiskType',
  'dataDiskSizeGb',
  'vmImageFamily',
  'containerImage',
  'postStartupScript',
  'metadata',
  'networkTags',
  'serviceAccount',
  'labels'
]);

export type FieldErrors = Partial<Record<InstanceField, string>>;

export function defaultInstanceForm(): IInstanceForm {
  return {
    instanceId: '',
    machineType: DEFAULT_INSTANCE_MACHINE,
    acceleratorType: '',
    acceleratorCount: '1',
    installGpuDriver: true,
    bootDiskType: 'PD_BALANCED',
    bootDiskSizeGb: String(BOOT_DISK_GB.min),
    dataDiskType: 'PD_BALANCED',
    dataDiskSizeGb: String(DATA_DISK_GB.min),
    image: 'vm',
    vmImageFamily: DEFAULT_IMAGE_FAMILY,
    containerRepository: '',
    containerTag: 'latest',
    postStartupScript: '',
    metadata: '',
    networkTags: '',
    serviceAccount: '',
    labels: ''
  };
}

/**
 * The machine's accelerator rule, if the options list it.
 */
export function machineOption(
  machines: ReadonlyArray<IMachineOption> | null,
  machineType: string
): IMachineOption | null {
  return machines?.find(m => m.machineType === machineType) ?? null;
}

/**
 * The form after choosing a machine type: an accelerator the machine cannot
 * take is dropped (or the one it requires is chosen), and so is a count.
 */
export function withMachine(
  form: IInstanceForm,
  machineType: string,
  machines: ReadonlyArray<IMachineOption> | null
): IInstanceForm {
  const next = { ...form, machineType };
  const option = machineOption(machines, machineType);
  if (!option) {
    return next;
  }
  if (!option.acceleratorTypes.includes(next.acceleratorType)) {
    next.acceleratorType = option.acceleratorRequired
      ? option.acceleratorTypes[0]
      : '';
  }
  if (!option.acceleratorCounts.includes(Number(next.acceleratorCount))) {
    next.acceleratorCount = String(option.acceleratorCounts[0] ?? 1);
  }
  return next;
}

/**
 * `key=value` lines as a record; `null` if a line is not of that form.
 */
export function parsePairs(text: string): Record<string, string> | null {
  const pairs: Record<string, string> = {};
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line) {
      continue;
    }
    const at = line.indexOf('=');
    if (at <= 0) {
      return null;
    }
    pairs[line.slice(0, at).trim()] = line.slice(at + 1).trim();
  }
  return pairs;
}

function parseSize(text: string): number | null {
  return /^\d+$/.test(text.trim()) ? Number(text.trim()) : null;
}

/**
 * What is wrong with the form before asking the server, per field.
 */
export function validateInstanceForm(
  form: IInstanceForm,
  trans: TranslationBundle
): FieldErrors {
  const errors: FieldErrors = {};
  const id = form.instanceId.trim();
  if (!id) {
    errors.instanceId = trans.__('Give the instance an id.');
  } else if (!INSTANCE_ID_PATTERN.test(id)) {
    errors.instanceId = trans.__(
      'Lowercase letters, digits and hyphens, starting with a letter and not ending with a hyphen; at most 63 characters.'
    );
  }
  if (!form.machineType.trim()) {
    errors.machineType = trans.__('Choose a machine type.');
  }
  if (form.acceleratorType) {
    const count = parseSize(form.acceleratorCount);
    if (count === null || count < 1) {
      errors.acceleratorCount = trans.__('A whole number of GPUs, 1 or more.');
    }
  }
  const ranges: Array<
    ['bootDiskSizeGb' | 'dataDiskSizeGb', string, { min: number; max: number }]
  > = [
    ['bootDiskSizeGb', form.bootDiskSizeGb, BOOT_DISK_GB],
    ['dataDiskSizeGb', form.dataDiskSizeGb, DATA_DISK_GB]
  ];
  for (const [field, text, range] of ranges) {
    const size = parseSize(text);
    if (size === null || size < range.min || size > range.max) {
      errors[field] = trans.__(
        'A size in GB from %1 to %2.',
        range.min,
        range.max
      );
    }
  }
  if (form.image === 'vm' && !form.vmImageFamily.trim()) {
    errors.vmImageFamily = trans.__('Give an image family.');
  }
  if (form.image === 'container' && !form.containerRepository.trim()) {
    errors.containerImage = trans.__(
      'Give the image repository, e.g. `us-docker.pkg.dev/deeplearning-platform-release/gcr.io/workbench-container`.'
    );
  }
  const script = form.postStartupScript.trim();
  if (script && !/^(gs|https?):\/\/\S+$/.test(script)) {
    errors.postStartupScript = trans.__(
      'A `gs://` or `https://` URI of the script, as Vertex AI takes it.'
    );
  }
  if (parsePairs(form.metadata) === null) {
    errors.metadata = trans.__('One `key=value` per line.');
  }
  if (parsePairs(form.labels) === null) {
    errors.labels = trans.__('One `key=value` per line.');
  }
  const account = form.serviceAccount.trim();
  if (account && !/^[^@\s]+@[^@\s]+$/.test(account)) {
    errors.serviceAccount = trans.__(
      "A service account's email, e.g. `name@project.iam.gserviceaccount.com`."
    );
  }
  return errors;
}

/**
 * The `POST /instances` body of a (valid) form.
 */
export function instanceRequest(form: IInstanceForm): IInstanceCreate {
  const body: IInstanceCreate = {
    instanceId: form.instanceId.trim(),
    machineType: form.machineType.trim(),
    bootDiskType: form.bootDiskType,
    bootDiskSizeGb: Number(form.bootDiskSizeGb),
    dataDiskType: form.dataDiskType,
    dataDiskSizeGb: Number(form.dataDiskSizeGb)
  };
  if (form.acceleratorType) {
    body.acceleratorType = form.acceleratorType.trim();
    body.acceleratorCount = Number(form.acceleratorCount);
    body.installGpuDriver = form.installGpuDriver;
  }
  if (form.image === 'vm') {
    body.vmImageFamily = form.vmImageFamily.trim();
  } else {
    body.containerImage = { repository: form.containerRepository.trim() };
    if (form.containerTag.trim()) {
      body.containerImage.tag = form.containerTag.trim();
    }
  }
  if (form.postStartupScript.trim()) {
    body.postStartupScript = form.postStartupScript.trim();
  }
  const metadata = parsePairs(form.metadata) ?? {};
  if (Object.keys(metadata).length) {
    body.metadata = metadata;
  }
  const tags = form.networkTags
    .split(/[\s,]+/)
    .map(tag => tag.trim())
    .filter(Boolean);
  if (tags.length) {
    body.networkTags = tags;
  }
  if (form.serviceAccount.trim()) {
    body.serviceAccount = form.serviceAccount.trim();
  }
  const labels = parsePairs(form.labels) ?? {};
  if (Object.keys(labels).length) {
    body.labels = labels;
  }
  return body;
}

/**
 * The form field a server error names (`Field 'containerImage.tag': …`),
 * if it is one of the form's.
 */
export function fieldOfError(error: { message: string }): InstanceField | null {
  const match = /Field '([A-Za-z]+)/.exec(error.message);
  if (match && FIELDS.has(match[1])) {
    return match[1] as InstanceField;
  }
  return null;
}

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
 * The Create instance form. Problems show under their field as soon as the
 * field was edited; the server's refusal shows under the field it names.
 */
export function InstanceForm(props: InstanceForm.IProps): JSX.Element {
  const { machines, trans, serverError } = props;
  const [form, setForm] = React.useState<IInstanceForm>(props.initial);
  const [touched, setTouched] = React.useState<Set<string>>(new Set());
  // The server's error belongs to the values it judged; editing that field
  // again hides it.
  const [serverField, setServerField] = React.useState<InstanceField | null>(
    serverError ? fieldOfError(serverError) : null
  );
  const errors = validateInstanceForm(form, trans);
  const set = (change: Partial<IInstanceForm>, field?: InstanceField) => {
    const next = { ...form, ...change };
    setForm(next);
    props.onChange(next);
    if (field) {
      setTouched(previous => new Set(previous).add(field));
      if (field === serverField) {
        setServerField(null);
      }
    }
  };
  const errorOf = (field: InstanceField): string | null => {
    if (serverError && serverField === field) {
      return serverError.message;
    }
    if (props.showAllErrors || touched.has(field)) {
      return errors[field] ?? null;
    }
    return null;
  };
  // A control's value and change handler, for a field the form holds as
  // the API names it.
  const inputOf = (field: TextFieldName): IBoundInput => ({
    value: form[field],
    onChange: value => set({ [field]: value }, field)
  });
  // The same, with the field's id and problem, for a whole field.
  const bound = (field: TextFieldName): IBoundField => ({
    id: field,
    error: errorOf(field),
    ...inputOf(field)
  });
  const option = machineOption(machines, form.machineType);
  const gpuTypes = option?.acceleratorTypes ?? [];
  const bannerError =
    serverError && fieldOfError(serverError) === null ? serverError : null;

  return (
    <form
      className="jp-Vertex-form jp-Vertex-instanceForm"
      aria-label={trans.__('Create instance')}
      noValidate
      onSubmit={event => event.preventDefault()}
    >
      {bannerError ? <FormBanner error={bannerError} /> : null}

      <TextField
        label={trans.__('Instance id')}
        help={trans.__('e.g. `my-gpu-notebook`')}
        maxLength={63}
        autoComplete="off"
        {...bound('instanceId')}
      />

      <Field
        id="machineType"
        label={trans.__('Machine type')}
        error={errorOf('machineType')}
      >
        {machines ? (
          <select
            className="jp-mod-styled"
            value={form.machineType}
            onChange={e => {
              const next = withMachine(form, e.target.value, machines);
              set(next, 'machineType');
            }}
          >
            {machines.some(m => m.machineType === form.machineType) ? null : (
              <option value={form.machineType}>{form.machineType}</option>
            )}
            {machines.map(m => (
              <option key={m.machineType} value={m.machineType}>
                {m.machineType}
              </option>
            ))}
          </select>
        ) : (
          <TextInput {...inputOf('machineType')} />
        )}
      </Field>

      {machines === null || gpuTypes.length > 0 ? (
        <div className="jp-Vertex-form-row">
          <Field
            id="acceleratorType"
            label={trans.__('GPU')}
            error={errorOf('acceleratorType')}
          >
            {machines ? (
              <select
                className="jp-mod-styled"
                value={form.acceleratorType}
                onChange={e =>
                  set({ acceleratorType: e.target.value }, 'acceleratorType')
                }
              >
                {option?.acceleratorRequired ? null : (
                  <option value="">{trans.__('None')}</option>
                )}
                {gpuTypes.map(type => (
                  <option key={type} value={type}>
                    {type}
                  </option>
                ))}
              </select>
            ) : (
              <TextInput
                placeholder={trans.__('None')}
                {...inputOf('acceleratorType')}
              />
            )}
          </Field>
          {form.acceleratorType ? (
            <Field
              id="acceleratorCount"
              label={trans.__('GPU count')}
              error={errorOf('acceleratorCount')}
            >
              {option ? (
                <select
                  className="jp-mod-styled"
                  value={form.acceleratorCount}
                  onChange={e =>
                    set(
                      { acceleratorCount: e.target.value },
                      'acceleratorCount'
                    )
                  }
                >
                  {option.acceleratorCounts.map(count => (
                    <option key={count} value={String(count)}>
                      {count}
                    </option>
                  ))}
                </select>
              ) : (
                <NumberInput min={1} {...inputOf('acceleratorCount')} />
              )}
            </Field>
          ) : null}
        </div>
      ) : (
        <p className="jp-Vertex-form-note" data-testid="vertex-no-gpu">
          {trans.__('%1 takes no GPU.', form.machineType)}
        </p>
      )}
      {form.acceleratorType ? (
        <label className="jp-Vertex-form-check">
          <input
            type="checkbox"
            checked={form.installGpuDriver}
            onChange={e => set({ installGpuDriver: e.target.checked })}
          />
          <span>{trans.__('Install the GPU driver')}</span>
        </label>
      ) : null}

      <DiskFields
        type={bound('bootDiskType')}
        size={bound('bootDiskSizeGb')}
        typeLabel={trans.__('Boot disk')}
        sizeLabel={trans.__('Boot disk size (GB)')}
        range={BOOT_DISK_GB}
      />
      <DiskFields
        type={bound('dataDiskType')}
        size={bound('dataDiskSizeGb')}
        typeLabel={trans.__('Data disk')}
        sizeLabel={trans.__('Data disk size (GB)')}
        range={DATA_DISK_GB}
      />

      <fieldset className="jp-Vertex-form-fieldset">
        <legend>{trans.__('Environment')}</legend>
        <RadioOption
          className="jp-Vertex-form-check"
          name="jp-Vertex-instance-image"
          checked={form.image === 'vm'}
          onSelect={() => set({ image: 'vm' })}
        >
          {trans.__('VM image family')}
        </RadioOption>
        <RadioOption
          className="jp-Vertex-form-check"
          name="jp-Vertex-instance-image"
          checked={form.image === 'container'}
          onSelect={() => set({ image: 'container' })}
        >
          {trans.__('Container image')}
        </RadioOption>
        {form.image === 'vm' ? (
          <TextField
            label={trans.__('Image family')}
            {...bound('vmImageFamily')}
          />
        ) : (
          <div className="jp-Vertex-form-row">
            {/* The API's field is `containerImage`, the repository its part. */}
            <TextField
              id="containerImage"
              label={trans.__('Repository')}
              error={errorOf('containerImage')}
              value={form.containerRepository}
              onChange={value =>
                set({ containerRepository: value }, 'containerImage')
              }
            />
            <TextField
              id="containerTag"
              label={trans.__('Tag')}
              error={null}
              value={form.containerTag}
              onChange={value => set({ containerTag: value })}
            />
          </div>
        )}
      </fieldset>

      <TextField
        label={trans.__('Post-startup script URI')}
        help={trans.__('Runs once, after the first start.')}
        placeholder="gs://bucket/setup.sh"
        {...bound('postStartupScript')}
      />
      <TextField
        label={trans.__('Service account')}
        placeholder={trans.__('Compute Engine default')}
        {...bound('serviceAccount')}
      />
      <TextField
        label={trans.__('Network tags')}
        help={trans.__('Separated by commas or spaces.')}
        {...bound('networkTags')}
      />
      <div className="jp-Vertex-form-row">
        <TextField
          label={trans.__('Metadata')}
          help={trans.__('`key=value`, one per line.')}
          rows={2}
          {...bound('metadata')}
        />
        <TextField
          label={trans.__('Labels')}
          help={trans.__('`key=value`, one per line.')}
          rows={2}
          {...bound('labels')}
        />
      </div>
    </form>
  );
}

export namespace InstanceForm {
  export interface IProps {
    initial: IInstanceForm;
    machines: ReadonlyArray<IMachineOption> | null;
    serverError: VertexAPIError | null;
    showAllErrors: boolean;
    trans: TranslationBundle;
    onChange: (form: IInstanceForm) => void;
  }
}

/**
 * A labelled field with its help text or its problem (announced).
 */
function Field(props: {
  id: string;
  label: string;
  error: string | null;
  help?: string;
  children: React.ReactElement;
}): JSX.Element {
  const controlId = `jp-Vertex-instance-${props.id}`;
  const noteId = `${controlId}-note`;
  const note = props.error ?? props.help ?? null;
  const control = React.cloneElement(props.children, {
    id: controlId,
    'aria-invalid': props.error ? true : undefined,
    'aria-describedby': note ? noteId : undefined
  });
  return (
    <div
      className={
        'jp-Vertex-form-field' + (props.error ? ' jp-mod-invalid' : '')
      }
      data-field={props.id}
    >
      <label htmlFor={controlId}>{props.label}</label>
      {control}
      {note ? (
        <div
          id={noteId}
          className={
            props.error ? 'jp-Vertex-fieldError' : 'jp-Vertex-fieldHelp'
          }
          role={props.error ? 'alert' : undefined}
        >
          {withInlineCode(note)}
        </div>
      ) : null}
    </div>
  );
}

/**
 * The fields the form holds as text under the API's name for them.
 */
type TextFieldName = Exclude<InstanceField, 'containerImage'>;

/**
 * A control's value and what to do when it changes.
 */
interface IBoundInput {
  value: string;
  onChange: (value: string) => void;
}

/**
 * A field's id (the API's name), its problem, value and change handler.
 */
interface IBoundField extends IBoundInput {
  id: string;
  error: string | null;
}

/**
 * A labelled text box (a textarea when `rows` is given).
 */
function TextField(
  props: IBoundField & {
    label: string;
    help?: string;
    placeholder?: string;
    maxLength?: number;
    autoComplete?: string;
    rows?: number;
  }
): JSX.Element {
  const { id, label, error, help, ...input } = props;
  return (
    <Field id={id} label={label} error={error} help={help}>
      <TextInput {...input} />
    </Field>
  );
}

/**
 * A styled text box without spell checking (ids, names, URIs); a textarea
 * when `rows` is given. `Field` gives it its id and ARIA attributes.
 */
function TextInput(
  props: IBoundInput & {
    id?: string;
    placeholder?: string;
    maxLength?: number;
    autoComplete?: string;
    rows?: number;
  }
): JSX.Element {
  const { rows, onChange, ...rest } = props;
  // `rest` carries the id and ARIA attributes `Field` sets.
  const common = { ...rest, className: 'jp-mod-styled', spellCheck: false };
  return rows ? (
    <textarea
      rows={rows}
      {...common}
      onChange={e => onChange(e.target.value)}
    />
  ) : (
    <input type="text" {...common} onChange={e => onChange(e.target.value)} />
  );
}

/**
 * A styled whole-number box.
 */
function NumberInput(
  props: IBoundInput & { id?: string; min: number; max?: number }
): JSX.Element {
  const { onChange, ...rest } = props;
  return (
    <input
      className="jp-mod-styled"
      type="number"
      {...rest}
      onChange={e => onChange(e.target.value)}
    />
  );
}

/**
 * A disk's type and size, side by side.
 */
function DiskFields(props: {
  type: IBoundField;
  size: IBoundField;
  typeLabel: string;
  sizeLabel: string;
  range: { min: number; max: number };
}): JSX.Element {
  const { type, size, range } = props;
  return (
    <div className="jp-Vertex-form-row">
      <Field id={type.id} label={props.typeLabel} error={type.error}>
        <DiskTypeSelect value={type.value} onChange={type.onChange} />
      </Field>
      <Field id={size.id} label={props.sizeLabel} error={size.error}>
        <NumberInput
          min={range.min}
          max={range.max}
          value={size.value}
          onChange={size.onChange}
        />
      </Field>
    </div>
  );
}

function DiskTypeSelect(props: {
  value: string;
  onChange: (value: string) => void;
  id?: string;
}): JSX.Element {
  return (
    <select
      id={props.id}
      className="jp-mod-styled"
      value={props.value}
      onChange={e => props.onChange(e.target.value)}
      {...Private.passThrough(props)}
    >
      {DISK_TYPES.map(type => (
        <option key={type} value={type}>
          {type}
        </option>
      ))}
    </select>
  );
}

namespace Private {
  /**
   * The ARIA attributes `Field` sets on its control.
   */
  export function passThrough(props: object): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(props)) {
      if (key.startsWith('aria-')) {
        out[key] = value;
      }
    }
    return out;
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
