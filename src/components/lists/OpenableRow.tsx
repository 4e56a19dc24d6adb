import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';
import { onRowKeyDown } from '../format';

/**
 * A row of a panel list (models, endpoints, jobs). With `onOpen` a click,
 * Enter or Space opens the item's details; the arrow keys move between rows
 * either way.
 */
export function OpenableRow(props: OpenableRow.IProps): JSX.Element {
  const { className, label, name, trans, onOpen } = props;
  return (
    <li
      className={
        `jp-Vertex-row ${className}` + (onOpen ? ' jp-mod-clickable' : '')
      }
      tabIndex={0}
      role={props.role}
      aria-label={label}
      title={onOpen ? trans.__('%1 — open the details', name) : name}
      {...props.data}
      onClick={onOpen ? () => onOpen() : undefined}
      onKeyDown={event => openOnEnter(event, onOpen)}
    >
      {props.children}
    </li>
  );
}

export namespace OpenableRow {
  export interface IProps {
    /**
     * The row's own class (`jp-Vertex-ModelRow`), after `jp-Vertex-row`.
     */
    className: string;
    /**
     * What a screen reader says for the row.
     */
    label: string;
    /**
     * The item's resource name, shown as the row's tooltip.
     */
    name: string;
    /**
     * `data-*` attributes that tell which item the row is.
     */
    data: Record<`data-${string}`, string>;
    trans: TranslationBundle;
    onOpen?: () => void;
    /**
     * An explicit ARIA role, for a row whose list needs it said.
     */
    role?: 'listitem';
    children: React.ReactNode;
  }
}

/**
 * Keys of an openable row: Enter or Space opens it, the arrows move.
 */
export function openOnEnter(
  event: React.KeyboardEvent<HTMLElement>,
  open: (() => void) | undefined
): void {
  if (open && (event.key === 'Enter' || event.key === ' ')) {
    event.preventDefault();
    open();
    return;
  }
  onRowKeyDown(event);
}
