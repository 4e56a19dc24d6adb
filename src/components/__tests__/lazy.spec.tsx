import { act, render, screen } from '@testing-library/react';
import * as React from 'react';
import { Lazy, LazyModule } from '../lazy';

describe('a lazy module', () => {
  it('shows a placeholder until the module loads, then the content; loads once', async () => {
    let resolve: (value: { greet: string }) => void = () => undefined;
    const load = jest.fn(
      () => new Promise<{ greet: string }>(r => (resolve = r))
    );
    const module = new LazyModule(load);
    const view = render(
      <Lazy module={module} loading="Loading…">
        {value => <p>{value.greet}</p>}
      </Lazy>
    );
    expect(screen.getByRole('status').textContent).toBe('Loading…');
    await act(async () => resolve({ greet: 'hello' }));
    expect(screen.getByText('hello')).toBeTruthy();
    expect(screen.queryByRole('status')).toBeNull();
    // A second view gets the loaded module at once.
    view.unmount();
    render(
      <Lazy module={module} loading="Loading…">
        {value => <p>{value.greet} again</p>}
      </Lazy>
    );
    expect(screen.getByText('hello again')).toBeTruthy();
    expect(load).toHaveBeenCalledTimes(1);
  });

  it('says why it could not load, and tries again on the next use', async () => {
    const load = jest
      .fn<Promise<string>, []>()
      .mockRejectedValueOnce(new Error('Loading chunk 7 failed.'))
      .mockResolvedValueOnce('loaded');
    const module = new LazyModule(load);
    const view = render(
      <Lazy module={module} loading="Loading…">
        {value => <p>{value}</p>}
      </Lazy>
    );
    expect((await screen.findByRole('alert')).textContent).toBe(
      'Loading chunk 7 failed.'
    );
    view.unmount();
    render(
      <Lazy module={module} loading="Loading…">
        {value => <p>{value}</p>}
      </Lazy>
    );
    expect(await screen.findByText('loaded')).toBeTruthy();
    expect(load).toHaveBeenCalledTimes(2);
  });
});
