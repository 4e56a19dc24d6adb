import { act, screen, waitFor } from '@testing-library/react';
import { Widget } from '@lumino/widgets';
import { FakeAPI, makeBatchJob, trans } from '../../__tests__/fakes';
import { batchJobIcon } from '../../components/icons';
import { BatchJobs } from '../../model/batchJobs';
import { OperationTracker } from '../../model/operations';
import { VertexModel } from '../../model/VertexModel';
import { argsOf, resourceFromArgs, tabId, VertexResource } from '../resources';
import { VertexTabs } from '../VertexTabs';

jest.mock('@jupyterlab/apputils', () =>
  jest.requireActual('../../__tests__/apputils').withNotifications()
);

function setUp(api: FakeAPI) {
  const model = new VertexModel({ api, autoStart: false });
  const batchJobs = new BatchJobs({ api, model, autoStart: false });
  const shell = {
    add: jest.fn((widget: Widget) => Widget.attach(widget, document.body)),
    activateById: jest.fn()
  };
  const tabs = new VertexTabs({
    shell,
    context: {
      model,
      api,
      trans,
      tracker: new OperationTracker({ api, trans }),
      loadMachines: async () => [],
      preferences: () => ({}),
      open: jest.fn(),
      batchJobs
    }
  });
  return { batchJobs, tabs };
}

describe('batch job tabs', () => {
  it('are a resource kind of the open command, restored like the others', () => {
    const job: VertexResource = { kind: 'batchJob', id: '777' };
    expect(resourceFromArgs(argsOf(job))).toEqual(job);
    expect(tabId(job)).toBe('jp-vertex-tab-batchJob-777');
  });

  it('show the job named after it, and close once it is deleted elsewhere', async () => {
    const api = new FakeAPI();
    api.batchJobs = [makeBatchJob()];
    const { batchJobs, tabs } = setUp(api);
    await batchJobs.refresh();
    const tab = tabs.open({ kind: 'batchJob', id: '777' });
    expect(tab.title.icon).toBe(batchJobIcon);
    await screen.findByText('1,000 / 1,000 rows · 100 rows/s · 2 failed');
    expect(tab.content.title.label).toBe('score-rows');
    // Deleted from elsewhere: the list no longer has it, the GET says 404.
    api.batchJobs = [];
    await act(() => batchJobs.refresh());
    await waitFor(() => expect(tab.isDisposed).toBe(true));
    batchJobs.dispose();
  });
});
