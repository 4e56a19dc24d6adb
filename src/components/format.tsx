import { Time } from '@jupyterlab/coreutils';
import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';
import { Backend, IModel, IStatus } from '../api/types';
import { isTerminal } from '../model/states';

export { isTerminal };

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
 * A list row's time: how long ago, the full date on hover; nothing without
 * a time.
 */
export function RowTime(props: {
  time: { relative: string; full: string } | null;
}): JSX.Element | null {
  const { time } = props;
  return time ? (
    <span className="jp-Vertex-time" title={time.full}>
      {time.relative}
    </span>
  ) : null;
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

/**
 * A duration for people: `42s`, `3m 05s`, `2h 07m`, `3d 4h`.
 */
export function formatElapsed(milliseconds: number): string {
  const total = Math.max(0, Math.floor(milliseconds / 1000));
  const days = Math.floor(total / 86400);
  const hours = Math.floor((total % 86400) / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = total % 60;
  const pad = (n: number) => String(n).padStart(2, '0');
  if (days > 0) {
    return `${days}d ${hours}h`;
  }
  if (hours > 0) {
    return `${hours}h ${pad(minutes)}m`;
  }
  if (minutes > 0) {
    return `${minutes}m ${pad(seconds)}s`;
  }
  return `${seconds}s`;
}

/**
 * How long a job ran (or has been running at `now`), or `null` before it
 * started.
 */
export function jobElapsed(
  job: {
    startTime?: string | null;
    endTime?: string | null;
    state: string;
  },
  now: number = Date.now()
): number | null {
  const start = Date.parse(job.startTime ?? '');
  if (isNaN(start)) {
    return null;
  }
  const end = Date.parse(job.endTime ?? '');
  if (!isNaN(end)) {
    return Math.max(0, end - start);
  }
  if (isTerminal(job.state)) {
    return null;
  }
  return Math.max(0, now - start);
}

/**
 * The label users see for a job state.
 */
export function stateLabel(state: string, trans: TranslationBundle): string {
  switch (state) {
    case 'QUEUED':
      return trans.__('Queued');
    case 'PENDING':
      return trans.__('Pending');
    case 'RUNNING':
      return trans.__('Running');
    case 'SUCCEEDED':
      return trans.__('Succeeded');
    case 'FAILED':
      return trans.__('Failed');
    case 'CANCELLING':
      return trans.__('Cancelling');
    case 'CANCELLED':
      return trans.__('Cancelled');
    case 'PAUSED':
      return trans.__('Paused');
    case 'ACTIVE':
      return trans.__('Active');
    case 'COMPLETED':
      return trans.__('Completed');
    case 'EXPIRED':
      return trans.__('Expired');
    case 'UPDATING':
      return trans.__('Updating');
    case 'PARTIALLY_SUCCEEDED':
      return trans.__('Partially succeeded');
    default:
      return trans.__('Unknown');
  }
}

/**
 * The kind of a job for people.
 */
export function kindLabel(kind: string, trans: TranslationBundle): string {
  return kind === 'trainingPipeline'
    ? trans.__('Training pipeline')
    : trans.__('Custom job');
}

/**
 * A state chip: colour from the theme, text for screen readers and all.
 */
export function StateChip(props: {
  state: string;
  trans: TranslationBundle;
}): JSX.Element {
  return (
    <span
      className={`jp-Vertex-state jp-Vertex-state-${props.state.toLowerCase()}`}
      data-state={props.state}
    >
      {stateLabel(props.state, props.trans)}
    </span>
  );
}

/**
 * Re-render every `intervalMs` while `active`; returns the current time.
 */
export function useNow(active: boolean, intervalMs = 1000): number {
  const [now, setNow] = React.useState(() => Date.now());
  React.useEffect(() => {
    if (!active) {
      return;
    }
    setNow(Date.now());
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [active, intervalMs]);
  return active ? now : Date.now();
}
