import {
  act,
  fireEvent,
  render,
  screen,
  waitFor
} from '@testing-library/react';
import * as React from 'react';
import { IStatus } from '../../api/types';
import {
  defaultDeployForm,
  DeployForm,
  IDeployForm
} from '../../dialogs/deploy/DeployDialog';
import { localHardware, LocalHardware } from '../../model/hardware';
import { VertexModel } from '../../model/VertexModel';
import { JobDetail } from '../../views/JobDetail';
import { RunsOnCpuNote } from '../RunsOnCpuNote';
import {
  FakeAPI,
  LOCAL_STATUS,
  makeJob,
  makeModel,
  trans
} from '../../__tests__/fakes';
import { MACHINES } from '../../__tests__/serving';

jest.mock('@jupyterlab/apputils', () =>
  jest.requireActual('../../__tests__/apputils').withNotifications()
);

const NO_GPU: IStatus = { ...LOCAL_STATUS, hardware: { gpus: [] } };
const TWO_GPUS: IStatus = {
  ...LOCAL_STATUS,
  hardware: {
    gpus: [
      { index: 0, name: 'NVIDIA H100 80GB HBM3' },
      { index: 1, name: 'NVIDIA H100 80GB HBM3' }
    ]
  }
};
const CPU_TEXT =
  'Runs on CPU here: this machine has no GPU for the NVIDIA_TESLA_A100 × 2 requested (recorded; Vertex AI provides it).';

afterEach(() => localHardware.update(null));

describe('LocalHardware', () => {
  it('says where accelerators run only when the local machine is known', () => {
    const hardware = new LocalHardware();
    expect(hardware.placement('NVIDIA_TESLA_T4', 1)).toBeNull();
    hardware.update({ ...NO_GPU, backend: 'vertex' });
    expect(hardware.placement('NVIDIA_TESLA_T4', 1)).toBeNull();
    hardware.update({ ...LOCAL_STATUS, hardware: null });
    expect(hardware.placement('NVIDIA_TESLA_T4', 1)).toBeNull();
    hardware.update(NO_GPU);
    expect(hardware.placement('NVIDIA_TESLA_T4', 1)).toEqual({ kind: 'cpu' });
    expect(hardware.placement('', 0)).toBeNull();
    hardware.update(TWO_GPUS);
    expect(hardware.placement('NVIDIA_TESLA_T4', 2)).toBeNull();
    expect(hardware.placement('NVIDIA_TESLA_T4', 4)).toEqual({
      kind: 'fewer',
      gpus: 2
    });
  });

  it('is told by the panel model what each status says', async () => {
    const api = new FakeAPI();
    api.statusAnswer = NO_GPU;
    const hardware = new LocalHardware();
    const changed = jest.fn();
    hardware.changed.connect(changed);
    const model = new VertexModel({ api, autoStart: false, hardware });
    await model.refresh();
    expect(hardware.gpus).toEqual([]);
    expect(changed).toHaveBeenCalledTimes(1);
    await model.refresh(); // the same answer: no change
    expect(changed).toHaveBeenCalledTimes(1);
    model.dispose();
  });
});

describe('RunsOnCpuNote', () => {
  it('says "runs on CPU here" once the machine is known to have no GPU', () => {
    const hardware = new LocalHardware();
    render(
      <RunsOnCpuNote
        acceleratorType="NVIDIA_TESLA_A100"
        acceleratorCount={2}
        trans={trans}
        hardware={hardware}
      />
    );
    expect(screen.queryByRole('note')).toBeNull();
    act(() => hardware.update(NO_GPU));
    expect(screen.getByRole('note').textContent).toBe(CPU_TEXT);
    act(() => hardware.update(TWO_GPUS));
    expect(screen.queryByRole('note')).toBeNull();
  });

  it('says how many GPUs a larger request gets', () => {
    const hardware = new LocalHardware();
    hardware.update(TWO_GPUS);
    render(
      <RunsOnCpuNote
        acceleratorType="NVIDIA_H100_80GB"
        acceleratorCount={8}
        trans={trans}
        hardware={hardware}
      />
    );
    expect(screen.getByRole('note').textContent).toBe(
      'This machine has 2 GPU(s): the NVIDIA_H100_80GB × 8 requested gets all of them here.'
    );
  });

  it('says nothing without an accelerator', () => {
    const hardware = new LocalHardware();
    hardware.update(NO_GPU);
    render(
      <RunsOnCpuNote acceleratorType="" trans={trans} hardware={hardware} />
    );
    expect(screen.queryByRole('note')).toBeNull();
  });
});

describe('"Runs on CPU here" where accelerators are asked for', () => {
  it('in the Deploy dialog, once an accelerator is chosen', () => {
    localHardware.update(NO_GPU);
    const api = new FakeAPI();
    const model = makeModel({ id: '1234', versionId: '3' });
    let form: IDeployForm = defaultDeployForm({
      model,
      endpoints: [],
      machines: MACHINES
    });
    const view = render(<div />);
    const rerender = () =>
      view.rerender(
        <DeployForm
          api={api}
          model={model}
          versions={[]}
          endpoints={[]}
          machines={MACHINES}
          trans={trans}
          form={form}
          onChange={next => {
            form = next;
            rerender();
          }}
        />
      );
    rerender();
    expect(screen.queryByText(/Runs on CPU here/)).toBeNull();
    fireEvent.change(screen.getByLabelText('Machine type'), {
      target: { value: 'g2-standard-24' }
    });
    expect(form.acceleratorType).toBe('NVIDIA_L4');
    expect(screen.getByRole('note').textContent).toBe(
      'Runs on CPU here: this machine has no GPU for the NVIDIA_L4 × 2 requested (recorded; Vertex AI provides it).'
    );
  });

  it('in the job view, naming the accelerator the job asked for', async () => {
    localHardware.update(NO_GPU);
    const api = new FakeAPI();
    const base = makeJob({ id: '4', state: 'SUCCEEDED' });
    const job = {
      ...base,
      spec: {
        ...base.spec!,
        machineType: 'a2-highgpu-2g',
        acceleratorType: 'NVIDIA_TESLA_A100',
        acceleratorCount: 2
      }
    };
    render(
      <JobDetail api={api} job={job} trans={trans} onChanged={jest.fn()} />
    );
    await waitFor(() =>
      expect(screen.getByRole('note').textContent).toBe(CPU_TEXT)
    );
  });
});
