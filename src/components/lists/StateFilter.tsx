import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';
import { JobState } from '../../api/types';
import { stateLabel } from '../format';

/**
 * The states a list's state filter offers (Vertex AI's JobState, as the
 * list routes take it: `?state=`).
 */
export const FILTER_STATES: ReadonlyArray<JobState> = [
  'QUEUED',
  'PENDING',
  'RUNNING',
  'SUCCEEDED',
  'FAILED',
  'CANCELLING',
  'CANCELLED',
  'EXPIRED',
  'PARTIALLY_SUCCEEDED'
];

/**
 * A list's filters: a select of one state or all of them (no filter:
 * `undefined`), then any other filters the list has (`children`).
 */
export function StateFilter(props: {
  /**
   * What the list lists, for the labels ("Filter jobs by state").
   */
  noun: string;
  value: JobState | undefined;
  trans: TranslationBundle;
  onChange: (state: JobState | undefined) => void;
  children?: React.ReactNode;
}): JSX.Element {
  const { noun, trans } = props;
  const group = trans.__('Filter %1', noun);
  return (
    <div className="jp-Vertex-filters" role="group" aria-label={group}>
      <select
        className="jp-mod-styled"
        aria-label={trans.__('Filter %1 by state', noun)}
        value={props.value ?? ''}
        onChange={e =>
          props.onChange((e.target.value || undefined) as JobState | undefined)
        }
      >
        <option value="">{trans.__('All states')}</option>
        {FILTER_STATES.map(s => (
          <option key={s} value={s}>
            {stateLabel(s, trans)}
          </option>
        ))}
      </select>
      {props.children}
    </div>
  );
}
