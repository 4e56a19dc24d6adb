import { Clipboard, MainAreaWidget } from '@jupyterlab/apputils';
import { TranslationBundle } from '@jupyterlab/translation';
import {
  addIcon,
  copyIcon,
  ReactWidget,
  UseSignal
} from '@jupyterlab/ui-components';
import * as React from 'react';
import { vertexIcon } from '../../components/icons';
import { Banner } from '../../components/Banner';
import { argmaxOfProbabilities, predictionText } from './instances';
import { PredictionRun } from './run';

/**
 * Rows shown in the table; the rest are in "Copy as JSON".
 */
const MAX_ROWS = 1000;

/**
 * The predictions of a run: progress and Cancel while it runs (bulk), then
 * a table with the argmax of class-probability vectors, Copy as JSON and
 * Insert a cell.
 */
export function PredictResult(props: PredictResult.IProps): JSX.Element {
  return (
    <UseSignal signal={props.run.changed}>
      {() => <ResultBody {...props} />}
    </UseSignal>
  );
}

export namespace PredictResult {
  export interface IProps {
    run: PredictionRun;
    expression: string;
    endpointLabel: string;
    trans: TranslationBundle;
    /**
     * Insert a cell with the SDK code below the selection's cell.
     */
    onInsertCell: () => Promise<void>;
  }
}

function ResultBody(props: PredictResult.IProps): JSX.Element {
  const { run, expression, endpointLabel, trans } = props;
  const [notice, setNotice] = React.useState('');
  const predictions = run.predictions;
  const classes = React.useMemo(
    () => (predictions ?? []).map(argmaxOfProbabilities),
    [predictions]
  );
  const hasClasses = classes.some(c => c !== null);
  const percent = run.progress.total
    ? Math.round((100 * run.progress.done) / run.progress.total)
    : 0;

  let body: React.ReactNode = null;
  if (run.state === 'running') {
    body = (
      <div className="jp-Vertex-PredictResult-progress">
        <span>
          {run.mode === 'bulk'
            ? trans.__(
                'Predicting %1 of %2 instances…',
                run.progress.done,
                run.progress.total
              )
            : trans._n(
                'Predicting %1 instance…',
                'Predicting %1 instances…',
                run.progress.total
              )}
        </span>
        {run.mode === 'bulk' ? (
          <progress
            max={run.progress.total || 1}
            value={run.progress.done}
            aria-label={trans.__('Bulk prediction progress')}
            aria-valuetext={trans.__('%1%', percent)}
          />
        ) : null}
        <button
          type="button"
          className="jp-Button jp-mod-styled jp-mod-reject"
          onClick={() => void run.cancel()}
        >
          {trans.__('Cancel')}
        </button>
      </div>
    );
  } else if (run.state === 'failed' && run.error) {
    body = <Banner error={run.error} trans={trans} />;
  } else if (run.state === 'cancelled') {
    body = (
      <div className="jp-Vertex-note" role="status">
        {trans.__('Cancelled.')}
      </div>
    );
  } else if (predictions) {
    const shown = predictions.slice(0, MAX_ROWS);
    body = (
      <>
        <div className="jp-Vertex-PredictResult-actions">
          <button
            type="button"
            className="jp-Button jp-mod-styled jp-mod-accept"
            onClick={async () => {
              Clipboard.copyToSystem(JSON.stringify(predictions, null, 2));
              setNotice(trans.__('Copied the predictions as JSON.'));
            }}
          >
            <copyIcon.react tag="span" elementSize="normal" />
            {trans.__('Copy as JSON')}
          </button>
          <button
            type="button"
            className="jp-Button jp-mod-styled"
            onClick={async () => {
              try {
                await props.onInsertCell();
                setNotice(trans.__('Inserted a cell with the SDK code.'));
              } catch (reason) {
                setNotice(
                  trans.__(
                    'Could not insert the cell: %1',
                    reason instanceof Error ? reason.message : String(reason)
                  )
                );
              }
            }}
          >
            <addIcon.react tag="span" elementSize="normal" />
            {trans.__('Insert a cell')}
          </button>
          <span className="jp-Vertex-PredictResult-notice" aria-live="polite">
            {notice}
          </span>
        </div>
        <table className="jp-Vertex-PredictResult-table">
          <caption className="jp-Vertex-visuallyHidden">
            {trans.__('Predictions')}
          </caption>
          <thead>
            <tr>
              <th scope="col">#</th>
              {hasClasses ? (
                <th scope="col">{trans.__('Class (argmax)')}</th>
              ) : null}
              <th scope="col">{trans.__('Prediction')}</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((prediction, index) => {
              const cls = classes[index];
              return (
                <tr key={index} data-index={index}>
                  <td>{index}</td>
                  {hasClasses ? (
                    <td className="jp-Vertex-PredictResult-class">
                      {cls !== null
                        ? trans.__(
                            '%1 (p = %2)',
                            cls,
                            (
                              (prediction as number[])[cls as number] as number
                            ).toFixed(3)
                          )
                        : '–'}
                    </td>
                  ) : null}
                  <td className="jp-Vertex-PredictResult-prediction">
                    <code>{predictionText(prediction)}</code>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
        {predictions.length > MAX_ROWS ? (
          <div className="jp-Vertex-note">
            {trans.__(
              'Showing the first %1 of %2 predictions; Copy as JSON has them all.',
              MAX_ROWS,
              predictions.length
            )}
          </div>
        ) : null}
      </>
    );
  }

  return (
    <div
      className="jp-Vertex-PredictResult"
      data-state={run.state}
      aria-busy={run.state === 'running'}
    >
      <div className="jp-Vertex-PredictResult-header">
        <code className="jp-Vertex-code">{expression}</code>
        <span className="jp-Vertex-PredictResult-title">
          {run.state === 'succeeded' && predictions
            ? trans._n(
                '%1 prediction from %2',
                '%1 predictions from %2',
                predictions.length,
                endpointLabel
              )
            : endpointLabel}
        </span>
        {run.state === 'succeeded' && predictions ? (
          <span className="jp-Vertex-PredictResult-summary">
            {[
              run.modelDisplayName ?? '',
              run.deployedModelIds.length
                ? trans.__('deployed model %1', run.deployedModelIds.join(', '))
                : '',
              run.mode === 'bulk'
                ? trans.__('bulk, %1 instances', run.progress.total)
                : trans.__('online request')
            ]
              .filter(Boolean)
              .join(' · ')}
          </span>
        ) : null}
      </div>
      {body}
    </div>
  );
}

let resultCount = 0;

/**
 * The predictions in a main-area tab.
 */
export function createResultWidget(
  props: PredictResult.IProps
): MainAreaWidget<ReactWidget> {
  const content = ReactWidget.create(<PredictResult {...props} />);
  content.addClass('jp-Vertex-PredictResult-content');
  const widget = new MainAreaWidget({ content });
  widget.id = `jp-Vertex-predict-${++resultCount}`;
  widget.title.label = props.trans.__('Predictions: %1', props.expression);
  widget.title.caption = props.trans.__(
    'Predictions of %1 by %2',
    props.expression,
    props.endpointLabel
  );
  widget.title.icon = vertexIcon;
  widget.title.closable = true;
  widget.disposed.connect(() => props.run.dispose());
  return widget;
}
