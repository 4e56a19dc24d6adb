import {
  act,
  fireEvent,
  render,
  screen,
  waitFor
} from '@testing-library/react';
import * as React from 'react';
import { EndpointDetail } from '../EndpointDetail';
import { LogView } from '../LogView';
import { OperationTracker } from '../../model/operations';
import { FakeAPI, logEntry, makeModel, trans } from '../../__tests__/fakes';
import { DEPLOYED_ENDPOINT, resetServingMocks } from '../../__tests__/serving';

jest.mock('@jupyterlab/apputils', () =>
  jest.requireActual('../../__tests__/apputils').withNotifications()
);

afterEach(resetServingMocks);

describe('Save traffic split', () => {
  it('says "Saved" once the split is saved, until the next edit', async () => {
    const api = new FakeAPI();
    api.endpoints = [DEPLOYED_ENDPOINT];
    api.getModel.mockImplementation(async (id: string) =>
      makeModel({ versionId: id.split('@')[1] ?? '1' })
    );
    api.setTrafficSplit.mockResolvedValueOnce({
      ...DEPLOYED_ENDPOINT,
      trafficSplit: { '111': 50, '222': 50 }
    });
    render(
      <EndpointDetail
        api={api}
        endpointId="5678"
        listed={DEPLOYED_ENDPOINT}
        trans={trans}
        tracker={new OperationTracker({ api, trans, notify: false })}
        onBack={jest.fn()}
        onOpenModel={jest.fn()}
        onChanged={jest.fn()}
      />
    );
    const share = (name: string) =>
      screen.getByLabelText(`Traffic share of ${name} (%)`);
    await waitFor(() => expect(api.getModel).toHaveBeenCalledTimes(2));
    expect(screen.queryByText('Saved')).toBeNull();
    fireEvent.change(share('digits-v1'), { target: { value: '50' } });
    fireEvent.change(share('digits-v2'), { target: { value: '50' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save traffic split' }));
    const saved = await screen.findByText('Saved');
    expect(saved.getAttribute('role')).toBe('status');
    fireEvent.change(share('digits-v1'), { target: { value: '40' } });
    expect(screen.queryByText('Saved')).toBeNull();
  });
});

describe('LogView', () => {
  /**
   * jsdom lays nothing out: give the log a height and a content height.
   */
  function layOut(log: HTMLElement, scrollHeight: number) {
    Object.defineProperty(log, 'clientHeight', {
      configurable: true,
      value: 100
    });
    Object.defineProperty(log, 'scrollHeight', {
      configurable: true,
      value: scrollHeight
    });
  }

  function renderLog(count: number) {
    const entries = Array.from({ length: count }, (_, i) => logEntry(i + 1));
    return (
      <LogView
        entries={entries}
        dropped={0}
        showReplica={false}
        trans={trans}
        labelledBy="log-title"
      />
    );
  }

  it('follows the tail, stops when scrolled up, resumes at the bottom', () => {
    const view = render(renderLog(3));
    const log = screen.getByRole('log');
    layOut(log, 400);
    // New lines while following: scrolled to the bottom.
    view.rerender(renderLog(4));
    expect(log.scrollTop).toBe(400);
    expect(log.getAttribute('data-following')).toBe('true');

    // The user scrolls up: new lines no longer move the log.
    log.scrollTop = 100;
    fireEvent.scroll(log);
    expect(log.getAttribute('data-following')).toBe('false');
    layOut(log, 500);
    view.rerender(renderLog(5));
    expect(log.scrollTop).toBe(100);
    const latest = screen.getByRole('button', { name: 'Latest lines ↓' });

    // Back down with the button: following again.
    act(() => latest.click());
    expect(log.scrollTop).toBe(500);
    expect(log.getAttribute('data-following')).toBe('true');
    expect(screen.queryByRole('button', { name: 'Latest lines ↓' })).toBeNull();

    // Or by scrolling to the bottom by hand.
    log.scrollTop = 0;
    fireEvent.scroll(log);
    expect(log.getAttribute('data-following')).toBe('false');
    log.scrollTop = 400;
    fireEvent.scroll(log);
    expect(log.getAttribute('data-following')).toBe('true');
  });

  it('focuses its search box on Ctrl+F inside the log', () => {
    render(renderLog(2));
    fireEvent.keyDown(screen.getByRole('log'), { key: 'f', ctrlKey: true });
    expect(document.activeElement).toBe(
      screen.getByRole('searchbox', { name: 'Search the log' })
    );
  });
});
