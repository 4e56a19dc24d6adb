import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';
import { VertexAPIError } from '../../api/request';
import { IListState } from '../../model/tokens';
import { Banner } from '../Banner';
import { withInlineCode } from '../format';
import { VirtualList } from './VirtualList';

/**
 * A titled list of the panel: heading with count (the header refreshes), then
 * the rows, a loading line, an error, or the empty state.
 */
export function Section<T>(props: Section.IProps<T>): JSX.Element {
  const {
    id,
    title,
    state,
    trans,
    onRefresh,
    empty,
    loadingText,
    truncatedText,
    hideError,
    renderItem,
    rowHeight
  } = props;
  const headingId = `${id}-heading`;
  const items = state.items;
  const showError = state.error !== null && !hideError?.(state.error);
  let body: React.ReactNode;
  if (items === null) {
    if (state.error === null) {
      body = <div className="jp-Vertex-placeholder">{loadingText}</div>;
    } else if (!showError) {
      // The same failure is shown in the banner above.
      body = (
        <div className="jp-Vertex-placeholder">
          {trans.__('Not available until the problem above is solved.')}
        </div>
      );
    } else {
      body = null;
    }
  } else if (items.length === 0) {
    body = showError ? null : (
      <div className="jp-Vertex-empty">{withInlineCode(empty)}</div>
    );
  } else if (rowHeight) {
    body = (
      <VirtualList<T>
        items={items}
        rowHeight={rowHeight}
        maxRows={props.maxRows}
        renderItem={renderItem}
        aria-labelledby={headingId}
      />
    );
  } else {
    body = (
      <ul className="jp-Vertex-list" aria-labelledby={headingId}>
        {items.map(renderItem)}
      </ul>
    );
  }
  return (
    <section
      className="jp-Vertex-Section"
      id={id}
      aria-labelledby={headingId}
      aria-busy={state.loading}
    >
      <div className="jp-Vertex-Section-header">
        <h3 className="jp-Vertex-Section-title" id={headingId}>
          {title}
        </h3>
        {items !== null ? (
          <span
            className="jp-Vertex-Section-count"
            aria-label={trans._n('%1 item', '%1 items', items.length)}
          >
            {state.truncated ? `${items.length}+` : items.length}
          </span>
        ) : null}
      </div>
      {props.toolbar ?? null}
      {showError && state.error ? (
        <Banner error={state.error} trans={trans} compact onRetry={onRefresh} />
      ) : null}
      {body}
      {items !== null && state.truncated ? (
        <div className="jp-Vertex-note">{truncatedText}</div>
      ) : null}
    </section>
  );
}

export namespace Section {
  export interface IProps<T> {
    id: string;
    title: string;
    state: IListState<T>;
    trans: TranslationBundle;
    /**
     * Fetch the list again (the error banner's Retry); the header's button
     * refreshes everything.
     */
    onRefresh: () => void;
    empty: string;
    loadingText: string;
    truncatedText: string;
    /**
     * Hide the list's error when it repeats one shown above (status banner).
     */
    hideError?: (error: VertexAPIError) => boolean;
    renderItem: (item: T, index: number) => React.ReactNode;
    /**
     * Render only the rows in view (`VirtualList`): every row is this many
     * pixels high. Without it, every row is rendered.
     */
    rowHeight?: number;
    /**
     * With `rowHeight`: the list scrolls in a box this many rows high.
     */
    maxRows?: number;
    /**
     * Controls under the heading, e.g. filters.
     */
    toolbar?: React.ReactNode;
  }
}
