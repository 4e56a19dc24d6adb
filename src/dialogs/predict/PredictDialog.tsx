import { Dialog, showDialog } from '@jupyterlab/apputils';
import { TranslationBundle } from '@jupyterlab/translation';
import { ReactWidget } from '@jupyterlab/ui-components';
import * as React from 'react';
import { IEndpoint } from '../../api/types';
import { withInlineCode } from '../../components/format';
import {
  allowedModes,
  bodyBytes,
  defaultMode,
  formatShape,
  InstanceMode,
  instancesOf,
  issueSummary,
  ONLINE_MAX_BYTES,
  rowCount
} from './instances';
import { IProbeValue } from './snippet';
import {
  BATCH_OFFER_ROWS,
  formatCount,
  offersBatch,
  onlineRequests,
  servedVersion
} from './batchInstead';

/**
 * What the user chose.
 */
export interface IPredictChoice {
  mode: InstanceMode;
  endpointId: string;
  /**
   * "Batch predict instead": a batch job of every row, no online request.
   */
  batch?: boolean;
}

/**
 * The endpoint to offer first: the remembered one (id or display name) if
 * it has a deployed model, else the first that has one.
 */
export function pickEndpoint(
  endpoints: IEndpoint[],
  remembered: string | null
): string | null {
  const serving = endpoints.filter(e => (e.deployedModels ?? []).length > 0);
  const match = remembered
    ? (serving.find(e => e.id === remembered) ??
      serving.find(e => e.displayName === remembered))
    : undefined;
  return (match ?? serving[0])?.id ?? null;
}

/**
 * The body of the Predict dialog: what was evaluated, how to send it and
 * where.
 */
export class PredictDialogBody
  extends ReactWidget
  implements Dialog.IBodyWidget<IPredictChoice | null>
{
  constructor(options: PredictDialogBody.IOptions) {
    super();
    this.addClass('jp-Vertex-PredictDialog');
    this._options = options;
    this._mode = defaultMode(options.value);
    this._endpointId = pickEndpoint(options.endpoints, options.remembered);
  }

  getValue(): IPredictChoice | null {
    return this._endpointId
      ? { mode: this._mode, endpointId: this._endpointId }
      : null;
  }

  /**
   * Whether to offer a batch job instead (many rows, and the caller can
   * start one).
   */
  get offersBatch(): boolean {
    return (
      this._options.offerBatch === true && offersBatch(this._options.value)
    );
  }

  /**
   * Whether the dialog can predict (an endpoint, no blocking issue).
   */
  get canPredict(): boolean {
    return (
      this._endpointId !== null &&
      !issueSummary(this._options.value, this._options.trans)?.blocking
    );
  }

  protected render(): JSX.Element {
    const { value, expression, endpoints, trans } = this._options;
    const serving = endpoints.filter(e => (e.deployedModels ?? []).length > 0);
    const issues = issueSummary(value, trans);
    const rows = rowCount(value);
    const instances = instancesOf(value, this._mode);
    const bytes = bodyBytes(instances);
    const bulk = bytes > ONLINE_MAX_BYTES;
    const modes = allowedModes(value);
    const description = [
      value.typeName,
      trans.__('shape %1', formatShape(value)),
      value.dtype ?? '',
      value.columns
        ? trans._n('%1 column', '%1 columns', value.columns.length)
        : ''
    ]
      .filter(Boolean)
      .join(' · ');
    return (
      <div className="jp-Vertex-form">
        <div className="jp-Vertex-PredictDialog-value">
          <code className="jp-Vertex-code">{expression}</code>
          <span className="jp-Vertex-PredictDialog-shape">{description}</span>
        </div>
        {issues ? (
          <div
            className={
              'jp-Vertex-PredictDialog-issues' +
              (issues.blocking ? ' jp-mod-error' : '')
            }
            role={issues.blocking ? 'alert' : 'status'}
          >
            {withInlineCode(issues.text)}
          </div>
        ) : null}
        <fieldset className="jp-Vertex-PredictDialog-modes">
          <legend>{trans.__('Send as')}</legend>
          {modes.includes('rows') ? (
            <label className="jp-Vertex-form-check">
              <input
                type="radio"
                name="jp-Vertex-predict-mode"
                value="rows"
                checked={this._mode === 'rows'}
                onChange={() => this._setMode('rows')}
              />
              {trans._n(
                'A batch of %1 row (one instance each)',
                'A batch of %1 rows (one instance each)',
                rows
              )}
            </label>
          ) : null}
          <label className="jp-Vertex-form-check">
            <input
              type="radio"
              name="jp-Vertex-predict-mode"
              value="one"
              checked={this._mode === 'one'}
              onChange={() => this._setMode('one')}
            />
            {trans.__('One instance (the whole value)')}
          </label>
        </fieldset>
        <label className="jp-Vertex-form-field">
          <span>{trans.__('Endpoint')}</span>
          {serving.length ? (
            <select
              className="jp-mod-styled"
              value={this._endpointId ?? ''}
              onChange={event => {
                this._endpointId = event.target.value || null;
                this.update();
              }}
            >
              {serving.map(endpoint => (
                <option key={endpoint.id} value={endpoint.id}>
                  {endpointLabel(endpoint)}
                </option>
              ))}
            </select>
          ) : (
            <div
              className="jp-Vertex-PredictDialog-issues jp-mod-error"
              role="alert"
            >
              {trans.__(
                'No endpoint has a deployed model. Deploy a model from the Models section of the Vertex AI panel first.'
              )}
            </div>
          )}
        </label>
        <div className="jp-Vertex-note jp-Vertex-PredictDialog-plan">
          {bulk
            ? trans._n(
                '%1 instance, %2: a bulk prediction in several requests.',
                '%1 instances, %2: a bulk prediction in several requests.',
                instances.length,
                formatBytes(bytes)
              )
            : trans._n(
                '%1 instance, %2: one online request.',
                '%1 instances, %2: one online request.',
                instances.length,
                formatBytes(bytes)
              )}
        </div>
        {this.offersBatch ? this._renderOffer() : null}
      </div>
    );
  }

  /**
   * Why a batch job suits this many rows, and which model version it would
   * use.
   */
  private _renderOffer(): JSX.Element {
    const { value, endpoints, trans } = this._options;
    const rows = instancesOf(value, 'rows');
    const endpoint = endpoints.find(e => e.id === this._endpointId);
    const served = endpoint ? servedVersion(endpoint) : null;
    const requests = onlineRequests(rows);
    const model = served
      ? (served.deployedModel.displayName || served.modelVersion) +
        (served.deployedModel.modelVersionId
          ? ' ' + trans.__('version %1', served.deployedModel.modelVersionId)
          : '')
      : '';
    return (
      <div
        className="jp-Vertex-note jp-Vertex-PredictDialog-batchOffer"
        role="note"
      >
        <p>
          {trans._n(
            'More than %3 rows: %1 online request would carry these %2 rows from this page, and every prediction would come back into it.',
            'More than %3 rows: %1 online requests would carry these %2 rows from this page, and every prediction would come back into it.',
            requests,
            formatCount(rows.length),
            formatCount(BATCH_OFFER_ROWS)
          )}
        </p>
        <p>
          {trans.__(
            'Batch predict instead: a batch job scores them on its own dedicated servers and writes the predictions to files in Cloud Storage. The rows are written beside the notebook as a JSON Lines file first.'
          )}
        </p>
        {served ? (
          <p>
            {served.deployedCount > 1
              ? trans.__(
                  'Model version: %1, the one of the endpoint’s %2 deployed models with the most traffic (%3%).',
                  model,
                  served.deployedCount,
                  served.traffic
                )
              : trans.__(
                  'Model version: %1, the model the endpoint serves.',
                  model
                )}
          </p>
        ) : null}
      </div>
    );
  }

  private _setMode(mode: InstanceMode): void {
    this._mode = mode;
    this.update();
  }

  private _options: PredictDialogBody.IOptions;
  private _mode: InstanceMode;
  private _endpointId: string | null;
}

export namespace PredictDialogBody {
  export interface IOptions {
    value: IProbeValue;
    expression: string;
    endpoints: IEndpoint[];
    remembered: string | null;
    trans: TranslationBundle;
    /**
     * Whether "Batch predict instead" can be offered (a large value still
     * decides).
     */
    offerBatch?: boolean;
  }
}

/**
 * `digits-endpoint — digits-classifier`
 */
export function endpointLabel(endpoint: IEndpoint): string {
  const models = (endpoint.deployedModels ?? [])
    .map(d => d.displayName || d.id)
    .join(', ');
  const name = endpoint.displayName || endpoint.id;
  return models ? `${name} — ${models}` : name;
}

/**
 * `812 B`, `6.1 kB`, `4.2 MB`.
 */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) {
    return `${bytes} B`;
  }
  if (bytes < 1_000_000) {
    return `${(bytes / 1000).toFixed(1)} kB`;
  }
  return `${(bytes / 1_000_000).toFixed(1)} MB`;
}

/**
 * Ask how to send the value and to which endpoint; `null` when cancelled.
 */
export async function askPrediction(
  options: PredictDialogBody.IOptions
): Promise<IPredictChoice | null> {
  const { trans } = options;
  const body = new PredictDialogBody(options);
  const batch = Dialog.createButton({
    label: trans.__('Batch predict instead'),
    actions: [BATCH_ACTION]
  });
  const buttons = body.canPredict
    ? [
        Dialog.cancelButton({ label: trans.__('Cancel') }),
        ...(body.offersBatch ? [batch] : []),
        Dialog.okButton({ label: trans.__('Predict') })
      ]
    : [Dialog.cancelButton({ label: trans.__('Close') })];
  const result = await showDialog<IPredictChoice | null>({
    title: trans.__('Predict with Vertex endpoint'),
    body,
    buttons,
    focusNodeSelector: 'select, input[type="radio"]:checked'
  });
  if (!result.button.accept || !result.value) {
    return null;
  }
  return result.button.actions.includes(BATCH_ACTION)
    ? { ...result.value, mode: 'rows', batch: true }
    : result.value;
}

/**
 * The action that tells the batch button from Predict.
 */
const BATCH_ACTION = 'jupyter-vertex-batch-instead';
