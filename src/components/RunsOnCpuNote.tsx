import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';
import { LocalHardware, localHardware } from '../model/hardware';
import { useSignalValue } from './useSignal';

/**
 * Says where the accelerators asked for run on the embedded Vertex when it
 * cannot give them: "Runs on CPU here" on a machine without GPUs, or how
 * many GPUs it gives when it has fewer. Nothing otherwise.
 */
export function RunsOnCpuNote(props: {
  acceleratorType: string | null | undefined;
  acceleratorCount?: number | null;
  trans: TranslationBundle;
  hardware?: LocalHardware;
}): JSX.Element | null {
  const { acceleratorType, trans } = props;
  const count = props.acceleratorCount || 1;
  const hardware = props.hardware ?? localHardware;
  // Render again when what is known changes; the request may change anyway.
  useSignalValue(hardware.changed, () => hardware.gpus);
  const placement = hardware.placement(acceleratorType, count);
  if (!placement || !acceleratorType) {
    return null;
  }
  return (
    <p className="jp-Vertex-cpuNote" role="note">
      {placement.kind === 'cpu'
        ? trans.__(
            'Runs on CPU here: this machine has no GPU for the %1 × %2 requested (recorded; Vertex AI provides it).',
            acceleratorType,
            count
          )
        : trans.__(
            'This machine has %1 GPU(s): the %2 × %3 requested gets all of them here.',
            placement.gpus,
            acceleratorType,
            count
          )}
    </p>
  );
}
