import { LabIcon } from '@jupyterlab/ui-components';
import * as React from 'react';

/**
 * The panel's small toolbar button: an icon only, named by `label` for
 * screen readers and by `title` (the label unless given) on hover.
 */
export function IconButton(props: {
  icon: LabIcon;
  label: string;
  title?: string;
  className?: string;
  onClick: () => void;
}): JSX.Element {
  return (
    <button
      type="button"
      className={
        'jp-Button jp-mod-minimal jp-mod-small jp-Vertex-iconButton' +
        (props.className ? ` ${props.className}` : '')
      }
      aria-label={props.label}
      title={props.title ?? props.label}
      onClick={props.onClick}
    >
      <props.icon.react tag="span" elementSize="normal" />
    </button>
  );
}
