import { act, fireEvent, render, screen } from '@testing-library/react';
import * as React from 'react';
import { BatchJobs } from '../../model/batchJobs';
import { VertexModel } from '../../model/VertexModel';
import { FakeAPI, makeBatchJob, trans } from '../../__tests__/fakes';
import { BatchJobsSection } from '../BatchJobList';

function shownIds(): (string | null)[] {
  return Array.from(document.querySelectorAll('.jp-Vertex-BatchJobRow')).map(
    row => row.getAttribute('data-batch-job-id')
  );
}

/**
 * Choose `state` in the filter ('' for all states); the list is asked for it.
 */
async function choose(api: FakeAPI, state: string): Promise<void> {
  await act(async () => {
    fireEvent.change(screen.getByLabelText('Filter batch jobs by state'), {
      target: { value: state }
    });
  });
  const [options] = api.listBatchJobs.mock.lastCall as unknown as [
    { state?: string }
  ];
  expect(options.state).toBe(state || undefined);
}

describe('the Batch jobs state filter', () => {
  it('lists the chosen state from the server; a late answer of the unfiltered list is dropped', async () => {
    const api = new FakeAPI();
    const model = new VertexModel({ api, autoStart: false });
    const batchJobs = new BatchJobs({ api, model, autoStart: false });
    render(<BatchJobsSection batchJobs={batchJobs} trans={trans} />);

    let release: () => void = () => undefined;
    api.listBatchJobs.mockImplementationOnce(
      () =>
        new Promise(resolve => {
          release = () =>
            resolve({ batchPredictionJobs: [makeBatchJob({ id: '1' })] });
        })
    );
    let stale: Promise<void> = Promise.resolve();
    act(() => {
      stale = batchJobs.refresh();
    });
    api.listBatchJobs.mockResolvedValueOnce({
      batchPredictionJobs: [
        makeBatchJob({ id: '2', state: 'RUNNING', displayName: 'running' })
      ]
    });
    await choose(api, 'RUNNING');
    expect(batchJobs.stateFilter).toBe('RUNNING');
    await act(async () => {
      release();
      await stale;
    });
    await screen.findByText('running');
    expect(shownIds()).toEqual(['2']);

    // none in that state: the empty text says so
    api.listBatchJobs.mockResolvedValueOnce({ batchPredictionJobs: [] });
    await choose(api, 'FAILED');
    await screen.findByText('No batch jobs in this state.');

    // all states again: no filter sent
    api.batchJobs = [makeBatchJob({ id: '3', displayName: 'any' })];
    await choose(api, '');
    expect(batchJobs.stateFilter).toBeUndefined();
    await screen.findByText('any');
    expect(shownIds()).toEqual(['3']);
    batchJobs.dispose();
    model.dispose();
  });
});
