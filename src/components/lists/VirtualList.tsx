import * as React from 'react';

/**
 * A list that renders only the rows in view (plus a few either side), so
 * that 10,000 items cost what 30 do. Rows have a fixed height; the list
 * scrolls in a box at most `maxRows` rows high, and padding above and below
 * the rendered rows stands for the others.
 *
 * `renderItem` returns the row itself (an `<li>`); the arrow keys, Home and
 * End move the focus between rows and bring the next one into view, also
 * across rows not rendered yet.
 */
export function VirtualList<T>(props: VirtualList.IProps<T>): JSX.Element {
  const { items, rowHeight, renderItem } = props;
  const maxRows = props.maxRows ?? VirtualList.DEFAULT_MAX_ROWS;
  const overscan = props.overscan ?? VirtualList.DEFAULT_OVERSCAN;
  const count = items.length;
  const height = Math.min(count, maxRows) * rowHeight;
  const scroller = React.useRef<HTMLDivElement>(null);
  const list = React.useRef<HTMLUListElement>(null);
  const [scrollTop, setScrollTop] = React.useState(0);
  // The row to focus once it is rendered (keyboard navigation).
  const pendingFocus = React.useRef<number | null>(null);

  // A shorter list may leave the old offset past its end.
  const maxTop = Math.max(0, count * rowHeight - height);
  const top = Math.min(scrollTop, maxTop);
  const start = Math.max(0, Math.floor(top / rowHeight) - overscan);
  const end = Math.min(count, Math.ceil((top + height) / rowHeight) + overscan);

  React.useLayoutEffect(() => {
    const index = pendingFocus.current;
    if (index === null || index < start || index >= end) {
      return;
    }
    pendingFocus.current = null;
    const row = list.current?.children[index - start] as HTMLElement | null;
    row?.focus();
  });

  const scrollTo = (offset: number) => {
    const clamped = Math.max(0, Math.min(maxTop, offset));
    if (scroller.current) {
      scroller.current.scrollTop = clamped;
    }
    setScrollTop(clamped);
  };

  const onKeyDownCapture = (event: React.KeyboardEvent<HTMLUListElement>) => {
    const rows = list.current ? Array.from(list.current.children) : [];
    const position = rows.findIndex(row => row === event.target);
    if (position < 0) {
      return; // A control inside a row: not ours.
    }
    const index = start + position;
    let next: number;
    switch (event.key) {
      case 'ArrowDown':
        next = Math.min(count - 1, index + 1);
        break;
      case 'ArrowUp':
        next = Math.max(0, index - 1);
        break;
      case 'Home':
        next = 0;
        break;
      case 'End':
        next = count - 1;
        break;
      default:
        return;
    }
    event.preventDefault();
    event.stopPropagation();
    if (next === index) {
      return;
    }
    // Into view: the row's top at the top, or its bottom at the bottom.
    const rowTop = next * rowHeight;
    if (rowTop < top) {
      scrollTo(rowTop);
    } else if (rowTop + rowHeight > top + height) {
      scrollTo(rowTop + rowHeight - height);
    }
    pendingFocus.current = next;
    if (next >= start && next < end) {
      (rows[next - start] as HTMLElement).focus();
      pendingFocus.current = null;
    }
  };

  return (
    <div
      ref={scroller}
      className="jp-Vertex-VirtualList"
      style={
        {
          height,
          '--jp-Vertex-row-height': `${rowHeight}px`
        } as React.CSSProperties
      }
      onScroll={event => setScrollTop(event.currentTarget.scrollTop)}
    >
      <ul
        ref={list}
        className="jp-Vertex-list"
        aria-labelledby={props['aria-labelledby']}
        style={{
          paddingTop: start * rowHeight,
          paddingBottom: (count - end) * rowHeight
        }}
        onKeyDownCapture={onKeyDownCapture}
      >
        {items.slice(start, end).map((item, i) => renderItem(item, start + i))}
      </ul>
    </div>
  );
}

export namespace VirtualList {
  export interface IProps<T> {
    items: ReadonlyArray<T>;
    /** The height of every row, in pixels (the CSS fixes it too). */
    rowHeight: number;
    /** The box is at most this many rows high (default 12). */
    maxRows?: number;
    /** Rows rendered beyond each edge of the view (default 4). */
    overscan?: number;
    renderItem: (item: T, index: number) => React.ReactNode;
    'aria-labelledby'?: string;
  }

  export const DEFAULT_MAX_ROWS = 12;
  export const DEFAULT_OVERSCAN = 4;
}
