import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';
import { ILogEntry } from '../api/types';

/**
 * The lines of `entries` containing `query` (case-insensitive), or all of
 * them without a query.
 */
export function matchingEntries(
  entries: ReadonlyArray<ILogEntry>,
  query: string
): ReadonlyArray<ILogEntry> {
  const needle = query.trim().toLowerCase();
  return needle
    ? entries.filter(entry => entry.message.toLowerCase().includes(needle))
    : entries;
}

/**
 * `text` with each occurrence of `query` (case-insensitive) in a `<mark>`.
 */
export function highlight(text: string, query: string): React.ReactNode[] {
  const needle = query.trim().toLowerCase();
  if (!needle) {
    return [text];
  }
  const parts: React.ReactNode[] = [];
  const lower = text.toLowerCase();
  let from = 0;
  for (
    let at = lower.indexOf(needle);
    at !== -1;
    at = lower.indexOf(needle, from)
  ) {
    if (at > from) {
      parts.push(text.slice(from, at));
    }
    parts.push(<mark key={at}>{text.slice(at, at + needle.length)}</mark>);
    from = at + needle.length;
  }
  if (from < text.length) {
    parts.push(text.slice(from));
  }
  return parts;
}

/**
 * A job's log lines with a search box, following the tail: new lines scroll
 * into view while the user is at the bottom; scrolling up stops that (a
 * "Latest lines" button comes back down), reaching the bottom resumes it.
 *
 * The search box filters the lines to those that match and highlights the
 * match. It is a box of the log's own rather than a JupyterLab search
 * provider because the log is not a document: filtering (not only jumping
 * between matches) is what finds an error among thousands of lines, and
 * Ctrl+F in the log focuses the box.
 */
export function LogView(props: LogView.IProps): JSX.Element {
  const { entries, trans, labelledBy } = props;
  const [query, setQuery] = React.useState('');
  const [following, setFollowing] = React.useState(true);
  const logRef = React.useRef<HTMLPreElement>(null);
  const searchRef = React.useRef<HTMLInputElement>(null);
  const shown = matchingEntries(entries, query);

  React.useLayoutEffect(() => {
    const node = logRef.current;
    if (node && following) {
      node.scrollTop = node.scrollHeight;
    }
  });

  const toBottom = () => {
    const node = logRef.current;
    if (node) {
      node.scrollTop = node.scrollHeight;
    }
    setFollowing(true);
  };

  return (
    <div
      className="jp-Vertex-LogView"
      onKeyDown={event => {
        if (
          (event.ctrlKey || event.metaKey) &&
          event.key.toLowerCase() === 'f'
        ) {
          event.preventDefault();
          event.stopPropagation();
          searchRef.current?.focus();
          searchRef.current?.select();
        }
      }}
    >
      <div className="jp-Vertex-LogView-toolbar">
        <input
          ref={searchRef}
          type="search"
          className="jp-mod-styled jp-Vertex-LogView-search"
          placeholder={trans.__('Search the log')}
          aria-label={trans.__('Search the log')}
          value={query}
          onChange={event => setQuery(event.target.value)}
          onKeyDown={event => {
            if (event.key === 'Escape' && query) {
              event.preventDefault();
              setQuery('');
            }
          }}
        />
        {query.trim() ? (
          <span className="jp-Vertex-LogView-count" role="status">
            {trans._n(
              '%1 of %2 line matches',
              '%1 of %2 lines match',
              shown.length,
              entries.length
            )}
          </span>
        ) : null}
        {!following ? (
          <button
            type="button"
            className="jp-Button jp-mod-styled jp-mod-small jp-Vertex-action"
            onClick={toBottom}
            title={trans.__('Scroll to the latest lines and follow them')}
          >
            {trans.__('Latest lines ↓')}
          </button>
        ) : null}
      </div>
      <pre
        ref={logRef}
        className="jp-Vertex-log"
        role="log"
        aria-live="polite"
        aria-labelledby={labelledBy}
        data-following={following}
        tabIndex={0}
        onScroll={event => {
          const node = event.currentTarget;
          const atBottom =
            node.scrollHeight - node.scrollTop - node.clientHeight < 8;
          if (atBottom !== following) {
            setFollowing(atBottom);
          }
        }}
      >
        {props.dropped > 0 && !query.trim()
          ? trans.__('(%1 older lines not shown)\n', props.dropped)
          : ''}
        {shown.map(entry => (
          <span
            key={entry.insertId}
            className={`jp-Vertex-logLine jp-Vertex-severity-${entry.severity.toLowerCase()}`}
          >
            {entry.replica && props.showReplica ? (
              <span className="jp-Vertex-logReplica">{entry.replica} </span>
            ) : null}
            {highlight(entry.message, query)}
            {'\n'}
          </span>
        ))}
      </pre>
    </div>
  );
}

export namespace LogView {
  export interface IProps {
    entries: ReadonlyArray<ILogEntry>;
    /**
     * How many older lines were dropped (said above the first line).
     */
    dropped: number;
    /**
     * Prefix each line with its replica (jobs with several replicas).
     */
    showReplica: boolean;
    trans: TranslationBundle;
    labelledBy: string;
  }
}
