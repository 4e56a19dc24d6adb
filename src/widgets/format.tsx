import { Time } from '@jupyterlab/coreutils';
import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';
import { Backend, IModel, IStatus } from '../tokens';

/**
 * The name users see for a backend.
 */
export function backendLabel(
  backend: Backend | string,
  trans: TranslationBundle
): string {
  switch (backend) {
    case 'local':
      return trans.__('Local');
    case 'vertex':
      return trans.__('Vertex AI');
    default:
      return String(backend);
  }
}

/**
 * `Local · local-project · us-central1`
 */
export function statusSummary(
  status: IStatus,
  trans: TranslationBundle
): string {
  return trans.__(
    '%1 · %2 · %3',
    backendLabel(status.backend, trans),
    status.project || trans.__('no project'),
    status.region || trans.__('no region')
  );
}

/**
 * A timestamp for people: relative text, and the full date for the tooltip.
 */
export function timeOf(value: string | undefined): {
  relative: string;
  full: string;
} | null {
  if (!value) {
    return null;
  }
  const date = new Date(value);
  if (isNaN(date.getTime())) {
    return null;
  }
  return { relative: Time.formatHuman(date), full: Time.format(date) };
}

/**
 * The model's framework, from the API or guessed from its serving container.
 */
export function frameworkOf(model: IModel): string {
  if (model.framework) {
    return model.framework;
  }
  const image = model.containerImageUri ?? '';
  const match = /(sklearn|xgboost|pytorch|tf2|tensorflow)/i.exec(image);
  return match ? match[1].toLowerCase() : '';
}

/**
 * Render text with `inline code` spans (server hints and our own empty
 * states use backticks).
 */
export function withInlineCode(text: string): React.ReactNode[] {
  return text
    .split(/(`[^`]+`)/g)
    .filter(part => part.length > 0)
    .map((part, index) =>
      part.length > 2 && part.startsWith('`') && part.endsWith('`') ? (
        <code key={index} className="jp-Vertex-code">
          {part.slice(1, -1)}
        </code>
      ) : (
        <React.Fragment key={index}>{part}</React.Fragment>
      )
    );
}

/**
 * Keyboard navigation between the focusable rows of a list: arrows, Home, End.
 */
export function onRowKeyDown(event: React.KeyboardEvent<HTMLElement>): void {
  const row = event.currentTarget;
  const list = row.parentElement;
  if (!list) {
    return;
  }
  const rows = Array.from(list.children).filter(
    (child): child is HTMLElement =>
      child instanceof HTMLElement && child.tabIndex >= 0
  );
  const index = rows.indexOf(row);
  let next: HTMLElement | undefined;
  switch (event.key) {
    case 'ArrowDown':
      next = rows[index + 1];
      break;
    case 'ArrowUp':
      next = rows[index - 1];
      break;
    case 'Home':
      next = rows[0];
      break;
    case 'End':
      next = rows[rows.length - 1];
      break;
    default:
      return;
  }
  event.preventDefault();
  next?.focus();
}
