import { showErrorMessage } from '@jupyterlab/apputils';
import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';
import { VertexAPIError } from '../api/request';
import { IPipelineSchedule } from '../api/types';
import type { IVertexAPI } from '../api/vertexAPI';
import { PipelineSchedules } from '../model/pipelineSchedules';
import { useSignalValue } from '../components/useSignal';
import { RowTime, StateChip, timeOf } from '../components/format';
import { Section } from '../components/lists/Section';

/**
 * The Schedules list: each schedule of pipeline runs with its cron, state and
 * next run, paused and resumed from its row. Schedules are made with the SDK
 * (`PipelineJob.create_schedule`), so the list shows only once there is one.
 */
export function PipelineSchedulesSection(props: {
  schedules: PipelineSchedules;
  api: IVertexAPI;
  trans: TranslationBundle;
  hideError?: (error: VertexAPIError) => boolean;
}): JSX.Element | null {
  const { schedules, trans } = props;
  const state = useSignalValue(schedules.changed, () => schedules.state);
  if (!state.items?.length && !state.error) {
    return null;
  }
  return (
    <Section<IPipelineSchedule>
      id="jp-Vertex-pipelineSchedules"
      title={trans.__('Schedules')}
      state={state}
      trans={trans}
      onRefresh={() => void schedules.refresh()}
      empty={trans.__('No schedules.')}
      loadingText={trans.__('Loading schedules…')}
      truncatedText={trans.__(
        'Showing the first %1 schedules.',
        state.items?.length ?? 0
      )}
      hideError={props.hideError}
      renderItem={schedule => (
        <PipelineScheduleRow
          key={schedule.name}
          schedule={schedule}
          trans={trans}
          onAction={async action => {
            try {
              if (action === 'pause') {
                await props.api.pausePipelineSchedule(schedule.id);
              } else {
                await props.api.resumePipelineSchedule(schedule.id);
              }
            } catch (error) {
              void showErrorMessage(
                trans.__('Could not %1 the schedule', action),
                error as Error
              );
            }
            await schedules.refresh();
          }}
        />
      )}
    />
  );
}

export function PipelineScheduleRow(props: {
  schedule: IPipelineSchedule;
  trans: TranslationBundle;
  onAction: (action: 'pause' | 'resume') => Promise<void>;
}): JSX.Element {
  const { schedule, trans } = props;
  const [busy, setBusy] = React.useState(false);
  const name = schedule.displayName || schedule.id;
  const act = (action: 'pause' | 'resume') => {
    setBusy(true);
    void props.onAction(action).finally(() => setBusy(false));
  };
  const next = timeOf(schedule.nextRunTime ?? undefined);
  return (
    <li
      className="jp-Vertex-row jp-Vertex-PipelineScheduleRow"
      role="listitem"
      aria-label={[name, schedule.state, schedule.cron].join(', ')}
      data-schedule-id={schedule.id}
    >
      <div className="jp-Vertex-row-main">
        <span className="jp-Vertex-row-name" title={schedule.name}>
          {name}
        </span>
        <StateChip state={schedule.state} trans={trans} />
      </div>
      <div className="jp-Vertex-row-meta">
        <span className="jp-Vertex-mono" title={trans.__('Cron')}>
          {schedule.cron}
        </span>
        <span title={trans.__('Runs started')}>
          {trans.__('%1 runs', schedule.startedRunCount)}
        </span>
        {schedule.state === 'ACTIVE' && schedule.nextRunTime ? (
          <span title={trans.__('Next run')}>
            {trans.__('next')} <RowTime time={next} />
          </span>
        ) : null}
      </div>
      {schedule.state === 'ACTIVE' || schedule.state === 'PAUSED' ? (
        <div
          className="jp-Vertex-row-actions"
          role="group"
          aria-label={trans.__('Actions for %1', name)}
        >
          <button
            type="button"
            className="jp-Button jp-mod-styled jp-Vertex-action"
            disabled={busy}
            onClick={() =>
              act(schedule.state === 'ACTIVE' ? 'pause' : 'resume')
            }
          >
            {schedule.state === 'ACTIVE'
              ? trans.__('Pause')
              : trans.__('Resume')}
          </button>
        </div>
      ) : null}
    </li>
  );
}
