import { LogFollower } from '../logs';
import { VertexAPIError } from '../../api/request';
import { IJobLogs } from '../../api/types';
import { FakeAPI, logEntry } from '../../__tests__/fakes';

describe('LogFollower', () => {
  it('passes the cursor back and stops once the job ended', async () => {
    const api = new FakeAPI();
    const pages: IJobLogs[] = [
      { entries: [logEntry(1), logEntry(2)], cursor: 'c2', state: 'RUNNING' },
      { entries: [], cursor: 'c2', state: 'RUNNING' },
      { entries: [logEntry(3)], cursor: 'c3', state: 'SUCCEEDED' }
    ];
    api.logPages = pages;
    const follower = new LogFollower({
      api,
      kind: 'customJob',
      jobId: '111',
      interval: 1
    });
    await follower.start();
    expect(follower.done).toBe(true);
    expect(follower.entries.map(e => e.message)).toEqual([
      'line 1',
      'line 2',
      'line 3'
    ]);
    const cursors = api.jobLogs.mock.calls.map(call => call[2]?.cursor);
    expect(cursors).toEqual([null, 'c2', 'c2']);
    expect(api.jobLogs).toHaveBeenCalledTimes(3);
    expect(follower.state).toBe('SUCCEEDED');
    expect(await follower.step()).toBe(false);
    expect(api.jobLogs).toHaveBeenCalledTimes(3);
  });

  it('reads on at once while pages are full, even after the job ended', async () => {
    const api = new FakeAPI();
    api.logPages = [
      { entries: [logEntry(1), logEntry(2)], cursor: 'c2', state: 'SUCCEEDED' },
      { entries: [logEntry(3)], cursor: 'c3', state: 'SUCCEEDED' }
    ];
    const follower = new LogFollower({
      api,
      kind: 'customJob',
      jobId: '111',
      pageSize: 2,
      interval: 60_000
    });
    await follower.start(); // would hang on the 60 s wait if it waited
    expect(follower.entries).toHaveLength(3);
    expect(api.jobLogs.mock.calls[1][2]?.cursor).toBe('c2');
  });

  it('keeps following after an error and stops when asked', async () => {
    const api = new FakeAPI();
    api.jobLogs.mockImplementationOnce(async () => {
      throw new VertexAPIError({ message: 'down', reason: 'UNAVAILABLE' });
    });
    api.logPages = [{ entries: [logEntry(1)], cursor: 'c1', state: 'RUNNING' }];
    const follower = new LogFollower({ api, kind: 'customJob', jobId: '1' });
    expect(await follower.step()).toBe(true);
    expect(follower.error?.reason).toBe('UNAVAILABLE');
    expect(await follower.step()).toBe(true);
    expect(follower.error).toBeNull();
    expect(follower.cursor).toBe('c1');
    follower.stop();
    expect(await follower.step()).toBe(false);
  });

  it('pauses while the log is not shown', async () => {
    const api = new FakeAPI();
    api.logPages = [
      { entries: [logEntry(1)], cursor: 'c1', state: 'SUCCEEDED' }
    ];
    let active = false;
    const follower = new LogFollower({
      api,
      kind: 'customJob',
      jobId: '1',
      interval: 5,
      isActive: () => active
    });
    const done = follower.start();
    await new Promise(resolve => setTimeout(resolve, 30));
    expect(api.jobLogs).not.toHaveBeenCalled();
    active = true;
    await done;
    expect(api.jobLogs).toHaveBeenCalledTimes(1);
    expect(follower.entries).toHaveLength(1);
  });

  it('keeps at most maxLines lines', async () => {
    const api = new FakeAPI();
    api.logPages = [
      {
        entries: [logEntry(1), logEntry(2), logEntry(3)],
        cursor: 'c3',
        state: 'FAILED'
      }
    ];
    const follower = new LogFollower({
      api,
      kind: 'customJob',
      jobId: '1',
      maxLines: 2
    });
    await follower.step();
    expect(follower.entries.map(e => e.insertId)).toEqual(['id-2', 'id-3']);
    expect(follower.dropped).toBe(1);
  });
});
