import { TranslationBundle } from '@jupyterlab/translation';
import { ReactWidget } from '@jupyterlab/ui-components';
import * as React from 'react';
import { VertexAPIError } from '../request';
import { ITrainingCreate } from '../tokens';
import { withInlineCode } from './format';

/**
 * What the simple Train dialog asks.
 */
export interface ITrainForm {
  displayName: string;
  framework: NonNullable<ITrainingCreate['framework']>;
  machineType: string;
  replicaCount: number;
  registerModel: boolean;
  servingImage: string;
  modelDisplayName: string;
}

export const FRAMEWORKS: ReadonlyArray<ITrainForm['framework']> = [
  'scikit-learn',
  'xgboost',
  'tensorflow',
  'pytorch'
];

export const MACHINE_TYPES: ReadonlyArray<string> = [
  'n1-standard-4',
  'n1-standard-8',
  'n1-highmem-4',
  'e2-standard-4',
  'e2-standard-8'
];

/**
 * Vertex AI's prebuilt prediction images, per training framework.
 */
export function servingImages(region: string | null): {
  [framework: string]: string;
} {
  const area = (region ?? 'us').split('-')[0];
  const registry = ['europe', 'asia'].includes(area)
    ? `${area}-docker.pkg.dev`
    : 'us-docker.pkg.dev';
  const base = `${registry}/vertex-ai/prediction`;
  return {
    'scikit-learn': `${base}/sklearn-cpu.1-3:latest`,
    xgboost: `${base}/xgboost-cpu.1-7:latest`,
    tensorflow: `${base}/tf2-cpu.2-15:latest`,
    pytorch: `${base}/pytorch-cpu.2-1:latest`
  };
}

/**
 * The default form for a file.
 */
export function defaultTrainForm(
  path: string,
  region: string | null
): ITrainForm {
  const base = (path.split('/').pop() ?? path).replace(/\.(py|ipynb)$/, '');
  const name = base.replace(/_/g, '-') || 'training';
  return {
    displayName: name,
    framework: 'scikit-learn',
    machineType: MACHINE_TYPES[0],
    replicaCount: 1,
    registerModel: false,
    servingImage: servingImages(region)['scikit-learn'],
    modelDisplayName: name
  };
}

/**
 * The request body of a form.
 */
export function trainingRequest(
  path: string,
  form: ITrainForm
): ITrainingCreate {
  const body: ITrainingCreate = {
    path,
    framework: form.framework,
    machineType: form.machineType,
    replicaCount: form.replicaCount
  };
  if (form.displayName.trim()) {
    body.displayName = form.displayName.trim();
  }
  if (form.registerModel) {
    body.registerModel = {
      servingContainerImageUri: form.servingImage.trim()
    };
    if (form.modelDisplayName.trim()) {
      body.registerModel.modelDisplayName = form.modelDisplayName.trim();
    }
  }
  return body;
}

/**
 * The body of the Train dialog: a small form, and the server's answer when
 * it refused the last attempt.
 */
export class TrainDialogBody extends ReactWidget {
  constructor(options: TrainDialogBody.IOptions) {
    super();
    this._form = { ...options.form };
    this._path = options.path;
    this._error = options.error ?? null;
    this._region = options.region;
    this._trans = options.trans;
    this.addClass('jp-Vertex-TrainDialog');
  }

  getValue(): ITrainForm {
    return { ...this._form };
  }

  protected render(): JSX.Element {
    const trans = this._trans;
    const form = this._form;
    const set = (change: Partial<ITrainForm>) => {
      this._form = { ...this._form, ...change };
      this.update();
    };
    const images = servingImages(this._region);
    return (
      <div className="jp-Vertex-form">
        <p className="jp-Vertex-form-file">
          {trans.__('Train %1 on Vertex AI.', this._path)}
        </p>
        {this._error ? (
          <div
            className="jp-Vertex-Banner jp-Vertex-Banner-compact"
            role="alert"
          >
            <div className="jp-Vertex-Banner-message">
              {this._error.message}
            </div>
            {this._error.hint ? (
              <div className="jp-Vertex-Banner-hint">
                {withInlineCode(this._error.hint)}
              </div>
            ) : null}
          </div>
        ) : null}
        <label className="jp-Vertex-form-field">
          <span>{trans.__('Display name')}</span>
          <input
            className="jp-mod-styled"
            type="text"
            value={form.displayName}
            maxLength={128}
            onChange={e => set({ displayName: e.target.value })}
          />
        </label>
        <label className="jp-Vertex-form-field">
          <span>{trans.__('Framework container')}</span>
          <select
            className="jp-mod-styled"
            value={form.framework}
            onChange={e => {
              const framework = e.target.value as ITrainForm['framework'];
              set({ framework, servingImage: images[framework] });
            }}
          >
            {FRAMEWORKS.map(f => (
              <option key={f} value={f}>
                {f}
              </option>
            ))}
          </select>
        </label>
        <label className="jp-Vertex-form-field">
          <span>{trans.__('Machine type')}</span>
          <select
            className="jp-mod-styled"
            value={form.machineType}
            onChange={e => set({ machineType: e.target.value })}
          >
            {MACHINE_TYPES.map(m => (
              <option key={m} value={m}>
                {m}
              </option>
            ))}
          </select>
        </label>
        <label className="jp-Vertex-form-field">
          <span>{trans.__('Replicas')}</span>
          <input
            className="jp-mod-styled"
            type="number"
            min={1}
            max={64}
            value={form.replicaCount}
            onChange={e =>
              set({
                replicaCount: Math.max(
                  1,
                  Math.min(64, Math.floor(Number(e.target.value) || 1))
                )
              })
            }
          />
        </label>
        <label className="jp-Vertex-form-check">
          <input
            type="checkbox"
            checked={form.registerModel}
            onChange={e => set({ registerModel: e.target.checked })}
          />
          <span>{trans.__('Register the trained model')}</span>
        </label>
        {form.registerModel ? (
          <>
            <label className="jp-Vertex-form-field">
              <span>{trans.__('Model name')}</span>
              <input
                className="jp-mod-styled"
                type="text"
                value={form.modelDisplayName}
                maxLength={128}
                onChange={e => set({ modelDisplayName: e.target.value })}
              />
            </label>
            <label className="jp-Vertex-form-field">
              <span>{trans.__('Serving container')}</span>
              <input
                className="jp-mod-styled"
                type="text"
                value={form.servingImage}
                onChange={e => set({ servingImage: e.target.value })}
              />
            </label>
          </>
        ) : null}
      </div>
    );
  }

  private _form: ITrainForm;
  private _path: string;
  private _region: string | null;
  private _error: VertexAPIError | null;
  private _trans: TranslationBundle;
}

export namespace TrainDialogBody {
  export interface IOptions {
    path: string;
    form: ITrainForm;
    region: string | null;
    error?: VertexAPIError | null;
    trans: TranslationBundle;
  }
}
