import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';
import { VertexAPIError } from '../api/request';
import { IBatchResults, IBatchTable } from '../api/types';
import { Banner } from '../components/Banner';
import { ActionBar, ActionButton } from '../components/detail';

/**
 * A batch job's results: the first rows of its predictions and of its
 * errors as tables, and "Insert DataFrame cell" (the server's cell, which
 * loads every prediction). Read again whenever `version` changes.
 */
export function BatchResultsView(props: {
  load: () => Promise<IBatchResults>;
  version: string;
  trans: TranslationBundle;
  insertCell?: (code: string) => Promise<'inserted' | 'copied'>;
}): JSX.Element {
  const { trans } = props;
  const [results, setResults] = React.useState<IBatchResults | null>(null);
  const [error, setError] = React.useState<VertexAPIError | null>(null);
  const [done, setDone] = React.useState<string | null>(null);
  React.useEffect(() => {
    let cancelled = false;
    props.load().then(
      value => {
        if (!cancelled) {
          setResults(value);
          setError(null);
        }
      },
      reason => {
        const failure = VertexAPIError.from(reason);
        // 409: no output yet; the next version reads again.
        if (!cancelled && failure.status !== 409) {
          setError(failure);
        }
      }
    );
    return () => {
      cancelled = true;
    };
  }, [props.version]);
  if (error) {
    return <Banner error={error} trans={trans} />;
  }
  if (!results) {
    return (
      <div className="jp-Vertex-placeholder">
        {trans.__('Reading the results…')}
      </div>
    );
  }
  const insert = async () => {
    if (props.insertCell) {
      const how = await props.insertCell(results.cell);
      setDone(
        how === 'inserted'
          ? trans.__('Inserted below the active cell.')
          : trans.__('No notebook is open: the cell was copied.')
      );
    }
  };
  return (
    <div className="jp-Vertex-BatchResults">
      <ActionBar>
        <ActionButton
          kind="accept"
          disabled={!props.insertCell}
          onClick={() => void insert()}
        >
          {trans.__('Insert DataFrame cell')}
        </ActionButton>
        {done ? (
          <span className="jp-Vertex-fieldNote" role="status">
            {done}
          </span>
        ) : null}
      </ActionBar>
      <ResultTable
        table={results.predictions}
        label={trans.__('Predictions (first rows)')}
        empty={trans.__('No predictions written yet.')}
        className="jp-Vertex-BatchResults-predictions"
        trans={trans}
      />
      {results.errors.rows.length ? (
        <ResultTable
          table={results.errors}
          label={trans.__('Errors (first rows)')}
          empty=""
          className="jp-Vertex-BatchResults-errors"
          trans={trans}
        />
      ) : null}
    </div>
  );
}

/**
 * A cell for people: text as is, anything else as compact JSON (long
 * arrays shortened; the DataFrame has them whole).
 */
export function cellText(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > 48 ? `${text.slice(0, 47)}…` : text;
}

function ResultTable(props: {
  table: IBatchTable;
  label: string;
  empty: string;
  className: string;
  trans: TranslationBundle;
}): JSX.Element {
  const { table, trans } = props;
  if (!table.rows.length) {
    return <div className="jp-Vertex-placeholder">{props.empty}</div>;
  }
  return (
    <div className={`jp-Vertex-tableWrap ${props.className}`}>
      <table className="jp-Vertex-table" aria-label={props.label}>
        <caption>{props.label}</caption>
        <thead>
          <tr>
            {table.columns.map(column => (
              <th key={column} scope="col">
                {column}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {table.rows.map((row, i) => (
            <tr key={i}>
              {row.map((value, j) => (
                <td key={j} title={JSON.stringify(value)}>
                  {cellText(value)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      {table.more ? (
        <div className="jp-Vertex-fieldNote">
          {trans.__('More rows in the output files.')}
        </div>
      ) : null}
    </div>
  );
}
