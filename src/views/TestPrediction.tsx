import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';
import { IVertexAPI } from '../api/vertexAPI';
import { VertexAPIError } from '../api/request';
import { IModel, IPrediction } from '../api/types';
import { Banner } from '../components/Banner';
import { ActionBar, ActionButton } from '../components/detail';
import { withInlineCode } from '../components/format';
import { IPrefill, LastRequests } from '../model/examples';
import { usePrefill } from './usePrefill';

/**
 * The model label that states how many numbers one instance has.
 *
 * Vertex AI keeps no input shape for custom-container models (their
 * `predictSchemata` are optional and absent for prebuilt sklearn/XGBoost
 * images), so the size comes from the one place users and tools may write
 * metadata on a model: its labels (`Model.upload(labels={"input-size": "64"})`
 * or the panel's Test view, which writes it once the model has told it, see
 * `expectedSizeOf`).
 */
export const INPUT_SIZE_LABEL = 'input-size';

/**
 * The number of values per instance the model's labels state, if any.
 */
export function inputSizeOf(model: IModel | null | undefined): number | null {
  const value = model?.labels?.[INPUT_SIZE_LABEL];
  if (!value || !/^\d{1,6}$/.test(value)) {
    return null;
  }
  const size = Number(value);
  return size > 0 ? size : null;
}

/**
 * The size a model's own error message asks for: scikit-learn and XGBoost
 * say it when the instance has the wrong number of features.
 */
export function expectedSizeOf(message: string): number | null {
  const match = /expect(?:ing|ed):? (\d+) features/i.exec(message);
  if (!match) {
    return null;
  }
  const size = Number(match[1]);
  return size > 0 && size <= 100_000 ? size : null;
}

/**
 * A valid example: one instance of `size` zeros, as the editor's text.
 */
export function exampleInstances(size: number): string {
  return JSON.stringify([new Array(size).fill(0)]);
}

/**
 * The instances of the editor's text: a JSON array of instances, or a
 * request body `{"instances": [...]}`.
 */
export function parseInstances(
  text: string,
  trans: TranslationBundle
): { instances: unknown[]; parameters?: unknown } | { error: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return {
      error: trans.__(
        'Not valid JSON: %1',
        error instanceof Error ? error.message : String(error)
      )
    };
  }
  if (Array.isArray(value)) {
    return value.length
      ? { instances: value }
      : { error: trans.__('Give at least one instance.') };
  }
  if (
    value !== null &&
    typeof value === 'object' &&
    Array.isArray((value as { instances?: unknown }).instances)
  ) {
    const body = value as { instances: unknown[]; parameters?: unknown };
    if (!body.instances.length) {
      return { error: trans.__('Give at least one instance.') };
    }
    return body.parameters === undefined
      ? { instances: body.instances }
      : { instances: body.instances, parameters: body.parameters };
  }
  return {
    error: trans.__(
      'Expected a JSON array of instances, or {"instances": [...]}.'
    )
  };
}

/**
 * The index of the largest value of a class-probability vector (numbers in
 * [0, 1] summing to 1), or `null` for anything else.
 */
export function argmax(value: unknown): number | null {
  if (
    !Array.isArray(value) ||
    value.length < 2 ||
    !value.every(v => typeof v === 'number' && v >= 0 && v <= 1)
  ) {
    return null;
  }
  const numbers = value as number[];
  const sum = numbers.reduce((a, b) => a + b, 0);
  if (Math.abs(sum - 1) > 1e-3) {
    return null;
  }
  let best = 0;
  numbers.forEach((v, i) => {
    if (v > numbers[best]) {
      best = i;
    }
  });
  return best;
}

/**
 * Test an endpoint: a JSON instances editor (prefilled with a real instance
 * when one is known: the last successful request, the example saved with
 * the model, its instance schema, else zeros of its `input-size` label), the
 * predictions, the argmax of class-probability vectors, and the server's
 * message for bad input.
 */
export function TestPrediction(props: TestPrediction.IProps): JSX.Element {
  const { api, endpointId, models, trans } = props;
  const lastRequests = props.lastRequests ?? LastRequests.shared;
  const known =
    models.map(inputSizeOf).find((size): size is number => size !== null) ??
    null;
  const prefill = usePrefill({
    api,
    endpointId,
    models,
    labelSize: known,
    lastRequests
  });
  const [text, setText] = React.useState('');
  const [shown, setShown] = React.useState<IPrefill | null>(null);
  const [touched, setTouched] = React.useState(false);
  const [result, setResult] = React.useState<IPrediction | null>(null);
  const [error, setError] = React.useState<VertexAPIError | null>(null);
  const [inputError, setInputError] = React.useState<string | null>(null);
  const [busy, setBusy] = React.useState(false);
  const [remembered, setRemembered] = React.useState<number | null>(null);
  const [filled, setFilled] = React.useState<number | null>(null);

  // Prefill once known, unless the user typed already.
  React.useEffect(() => {
    if (prefill && !touched && !text) {
      setText(prefill.text);
      setShown(prefill);
    }
  }, [prefill]);

  const predict = async () => {
    const parsed = parseInstances(text, trans);
    if ('error' in parsed) {
      setInputError(parsed.error);
      setResult(null);
      setError(null);
      return;
    }
    setInputError(null);
    setBusy(true);
    try {
      const answer = await api.predict(endpointId, parsed);
      lastRequests.remember(endpointId, parsed);
      setResult(answer);
      setError(null);
      props.onPredicted?.();
    } catch (reason) {
      setError(VertexAPIError.from(reason));
      setResult(null);
    } finally {
      setBusy(false);
    }
  };

  // Zeros only when nothing real is known.
  const real = shown !== null && shown.source !== 'label';
  const expected = error && !real ? expectedSizeOf(error.message) : null;
  // The model that told the size (one model version, maybe deployed twice),
  // to remember it in its labels.
  const versions = new Map(models.map(m => [`${m.name}@${m.versionId}`, m]));
  const single = versions.size === 1 ? [...versions.values()][0] : null;
  const fill = async (size: number) => {
    setText(exampleInstances(size));
    setTouched(true);
    setError(null);
    setFilled(size);
    if (single && inputSizeOf(single) === null && props.onRememberSize) {
      try {
        await props.onRememberSize(single, size);
        setRemembered(size);
      } catch {
        // Only a convenience: the example is filled all the same.
      }
    }
  };

  const editorId = `jp-Vertex-test-${endpointId}`;
  return (
    <section
      className="jp-Vertex-JobDetail-section jp-Vertex-TestPrediction"
      aria-labelledby={`${editorId}-heading`}
    >
      <h4
        className="jp-Vertex-JobDetail-sectionTitle"
        id={`${editorId}-heading`}
      >
        {trans.__('Test')}
      </h4>
      <label className="jp-Vertex-form-field" htmlFor={editorId}>
        <span>{trans.__('Instances (JSON)')}</span>
      </label>
      <textarea
        id={editorId}
        className="jp-mod-styled jp-Vertex-instances"
        spellCheck={false}
        rows={5}
        value={text}
        placeholder={trans.__(
          'A JSON array of instances (one array or object each); Ctrl+Enter predicts.'
        )}
        aria-describedby={`${editorId}-hint`}
        aria-invalid={inputError !== null}
        onChange={e => {
          setText(e.target.value);
          setTouched(true);
        }}
        onKeyDown={e => {
          if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
            e.preventDefault();
            void predict();
          }
          // Escape leaves the editor, not the detail view.
          if (e.key === 'Escape') {
            e.stopPropagation();
            e.currentTarget.blur();
          }
        }}
      />
      <div
        className="jp-Vertex-form-note"
        id={`${editorId}-hint`}
        data-source={shown?.source ?? ''}
      >
        {shown && shown.source !== 'label'
          ? prefillNote(shown, trans)
          : known
            ? withInlineCode(
                trans.__(
                  'Prefilled with one instance of %1 zeros (the model’s `%2` label).',
                  known,
                  INPUT_SIZE_LABEL
                )
              )
            : remembered
              ? withInlineCode(
                  trans.__(
                    'The model expects %1 values per instance: remembered in its `%2` label.',
                    remembered,
                    INPUT_SIZE_LABEL
                  )
                )
              : filled
                ? trans.__('The model expects %1 values per instance.', filled)
                : trans.__(
                    'The input size of this model is not known yet: its error for a wrong size tells it.'
                  )}
      </div>
      {inputError ? (
        <div className="jp-Vertex-form-error" role="alert">
          {inputError}
        </div>
      ) : null}
      <ActionBar>
        <ActionButton
          kind="accept"
          disabled={busy || !text.trim()}
          onClick={() => void predict()}
          title={trans.__('Predict (Ctrl+Enter)')}
        >
          {busy ? trans.__('Predicting…') : trans.__('Predict')}
        </ActionButton>
      </ActionBar>
      {error ? <Banner error={error} trans={trans} compact /> : null}
      {expected !== null ? (
        <div className="jp-Vertex-note">
          <ActionButton onClick={() => void fill(expected)}>
            {trans.__('Fill an example of %1 values', expected)}
          </ActionButton>
        </div>
      ) : null}
      {result ? <Predictions result={result} trans={trans} /> : null}
    </section>
  );
}

export namespace TestPrediction {
  export interface IProps {
    api: IVertexAPI;
    endpointId: string;
    /**
     * The models deployed to the endpoint (their labels may state the input
     * size).
     */
    models: ReadonlyArray<IModel>;
    trans: TranslationBundle;
    /**
     * After each successful prediction (e.g. to refresh metrics).
     */
    onPredicted?: () => void;
    /**
     * Write the input size into the model's labels.
     */
    onRememberSize?: (model: IModel, size: number) => Promise<void>;
    /**
     * Where the last successful request is remembered (default: the
     * browser's local storage).
     */
    lastRequests?: LastRequests;
  }
}

/**
 * Says where the prefilled instances came from.
 */
function prefillNote(prefill: IPrefill, trans: TranslationBundle): string {
  switch (prefill.source) {
    case 'last-request':
      return trans.__('Your last successful request to this endpoint.');
    case 'artifact':
      return trans.__(
        'Example saved with the model (instance_example.json beside its artifacts).'
      );
    case 'schema':
      return trans.__('Example from the model’s instance schema.');
    default:
      return '';
  }
}

/**
 * The predictions of one request, one line per instance.
 */
function Predictions(props: {
  result: IPrediction;
  trans: TranslationBundle;
}): JSX.Element {
  const { result, trans } = props;
  return (
    <div
      className="jp-Vertex-predictions"
      role="status"
      aria-label={trans.__('Predictions')}
    >
      <div className="jp-Vertex-note">
        {trans._n(
          '%1 prediction from %2 (deployed model %3, version %4)',
          '%1 predictions from %2 (deployed model %3, version %4)',
          result.predictions.length,
          result.modelDisplayName || result.model,
          result.deployedModelId,
          result.modelVersionId
        )}
      </div>
      <ol
        start={0}
        className={
          'jp-Vertex-predictionList' +
          (result.predictions.length === 1 ? ' jp-mod-single' : '')
        }
      >
        {result.predictions.map((prediction, index) => {
          const best = argmax(prediction);
          return (
            <li
              key={index}
              className="jp-Vertex-prediction"
              aria-label={trans.__('Instance %1', index)}
            >
              {best !== null ? (
                <>
                  <span className="jp-Vertex-argmax">
                    {trans.__('class %1', best)}
                  </span>{' '}
                  <span className="jp-Vertex-probability">
                    {trans.__(
                      '(p = %1)',
                      ((prediction as number[])[best] ?? 0).toFixed(3)
                    )}
                  </span>
                </>
              ) : (
                <span className="jp-Vertex-mono jp-Vertex-predictionValue">
                  {JSON.stringify(prediction)}
                </span>
              )}
            </li>
          );
        })}
      </ol>
      <details className="jp-Vertex-rawPredictions">
        <summary>{trans.__('Raw answer')}</summary>
        <pre className="jp-Vertex-codeBlock" tabIndex={0}>
          {JSON.stringify(result.predictions, null, 2)}
        </pre>
      </details>
    </div>
  );
}
