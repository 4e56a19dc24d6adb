import * as React from 'react';
import { Field, NumberInput, Select } from '../../components/form';
import { at, coded, IBoundField, IInstanceFieldsetProps } from './fields';
import { BOOT_DISK_GB, DATA_DISK_GB, DISK_TYPES } from './form';

/**
 * The boot disk and the data disk: type and size of each.
 */
export function DisksFieldset(props: IInstanceFieldsetProps): JSX.Element {
  const { trans, bound } = props;
  return (
    <>
      <DiskFields
        type={bound('bootDiskType')}
        size={bound('bootDiskSizeGb')}
        typeLabel={trans.__('Boot disk')}
        sizeLabel={trans.__('Boot disk size (GB)')}
        range={BOOT_DISK_GB}
      />
      <DiskFields
        type={bound('dataDiskType')}
        size={bound('dataDiskSizeGb')}
        typeLabel={trans.__('Data disk')}
        sizeLabel={trans.__('Data disk size (GB)')}
        range={DATA_DISK_GB}
      />
    </>
  );
}

/**
 * A disk's type and size, side by side.
 */
function DiskFields(props: {
  type: IBoundField;
  size: IBoundField;
  typeLabel: string;
  sizeLabel: string;
  range: { min: number; max: number };
}): JSX.Element {
  const { type, size, range } = props;
  return (
    <div className="jp-Vertex-form-row">
      <Field {...at(type.id)} label={props.typeLabel} error={coded(type.error)}>
        {control => (
          <Select
            {...control}
            value={type.value}
            choices={DISK_TYPES.map(value => ({ value, label: value }))}
            onChange={type.onChange}
          />
        )}
      </Field>
      <Field {...at(size.id)} label={props.sizeLabel} error={coded(size.error)}>
        {control => (
          <NumberInput
            {...control}
            min={range.min}
            max={range.max}
            value={size.value}
            onChange={size.onChange}
          />
        )}
      </Field>
    </div>
  );
}
