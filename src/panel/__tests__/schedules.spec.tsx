import { nullTranslator } from '@jupyterlab/translation';
import { act, fireEvent, render, screen, within } from '@testing-library/react';
import * as React from 'react';
import { VertexModel } from '../../model/VertexModel';
import { PipelineSchedules } from '../../model/pipelineSchedules';
import { PipelineSchedulesSection } from '../PipelineScheduleList';
import { FakeAPI } from '../../__tests__/fakes';
import { makePipelineSchedule } from '../../__tests__/pipelines';

const trans = nullTranslator.load('jupyter_vertex');

async function renderSchedules(api: FakeAPI) {
  const model = new VertexModel({ api, autoStart: false });
  const schedules = new PipelineSchedules({ api, model, autoStart: false });
  await schedules.refresh();
  const view = render(
    <PipelineSchedulesSection schedules={schedules} api={api} trans={trans} />
  );
  return { schedules, view };
}

describe('PipelineSchedulesSection', () => {
  it('is not shown while there is no schedule', async () => {
    const { view } = await renderSchedules(new FakeAPI());
    expect(view.container.innerHTML).toBe('');
  });

  it('lists a schedule with its cron and state, paused and resumed from its row', async () => {
    const api = new FakeAPI();
    api.pipelineSchedules = [makePipelineSchedule()];
    await renderSchedules(api);
    const row = screen.getByRole('listitem', {
      name: 'nightly, ACTIVE, TZ=Europe/Paris 0 2 * * *'
    });
    expect(within(row).getByText('Active')).toBeTruthy();
    expect(within(row).getByText('TZ=Europe/Paris 0 2 * * *')).toBeTruthy();
    expect(within(row).getByText('0 runs')).toBeTruthy();
    await act(async () => {
      fireEvent.click(within(row).getByRole('button', { name: 'Pause' }));
    });
    expect(api.pausePipelineSchedule).toHaveBeenCalledWith('4242');
    const paused = screen.getByRole('listitem', {
      name: 'nightly, PAUSED, TZ=Europe/Paris 0 2 * * *'
    });
    expect(within(paused).getByText('Paused')).toBeTruthy();
    await act(async () => {
      fireEvent.click(within(paused).getByRole('button', { name: 'Resume' }));
    });
    expect(api.resumePipelineSchedule).toHaveBeenCalledWith('4242');
  });

  it('offers no action on a completed schedule', async () => {
    const api = new FakeAPI();
    api.pipelineSchedules = [
      makePipelineSchedule({ state: 'COMPLETED', startedRunCount: 3 })
    ];
    await renderSchedules(api);
    const row = screen.getByRole('listitem');
    expect(within(row).getByText('Completed')).toBeTruthy();
    expect(within(row).getByText('3 runs')).toBeTruthy();
    expect(within(row).queryByRole('button')).toBeNull();
  });
});
