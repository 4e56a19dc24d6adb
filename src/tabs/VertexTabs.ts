import { MainAreaWidget, WidgetTracker } from '@jupyterlab/apputils';
import { Widget } from '@lumino/widgets';
import { IJob } from '../api/types';
import { ITabContext, VertexTabContent } from './TabContent';
import { tabId, VertexResource } from './resources';

export type VertexTab = MainAreaWidget<VertexTabContent>;

/**
 * The main-area tabs of jobs, models, endpoints and instances: one per
 * resource (opening it again brings it forward), tracked so that the layout
 * restorer opens them again after a reload, closed once their resource is
 * gone.
 */
export class VertexTabs {
  constructor(options: VertexTabs.IOptions) {
    this._context = options.context;
    this._shell = options.shell;
    this.tracker = new WidgetTracker<VertexTab>({
      namespace: VertexTabs.NAMESPACE
    });
  }

  readonly tracker: WidgetTracker<VertexTab>;

  /**
   * The tab of a resource, if open.
   */
  find(resource: VertexResource): VertexTab | undefined {
    const id = tabId(resource);
    return this.tracker.find(widget => widget.id === id);
  }

  /**
   * Open the tab of a resource, or bring its open tab forward.
   *
   * @param seed - the job as its creator has it (shown until fetched)
   * @param activate - whether to focus it (not when the restorer opens tabs)
   */
  open(
    resource: VertexResource,
    options: { seed?: IJob; activate?: boolean } = {}
  ): VertexTab {
    const activate = options.activate ?? true;
    const existing = this.find(resource);
    if (existing) {
      if (activate) {
        this._shell.activateById(existing.id);
      }
      return existing;
    }
    const content = new VertexTabContent({
      resource,
      context: this._context,
      seed: options.seed,
      onGone: () => this.close(resource)
    });
    const widget: VertexTab = new MainAreaWidget({ content });
    widget.id = tabId(resource);
    widget.addClass('jp-Vertex-tabWidget');
    widget.title.closable = true;
    void this.tracker.add(widget);
    this._shell.add(widget, 'main', { activate });
    if (activate) {
      this._shell.activateById(widget.id);
    }
    return widget;
  }

  /**
   * Close the tab of a resource (it was deleted), if open.
   */
  close(resource: VertexResource): void {
    const widget = this.find(resource);
    if (widget && !widget.isDisposed) {
      widget.dispose();
    }
  }

  dispose(): void {
    this.tracker.dispose();
  }

  private _context: ITabContext;
  private _shell: VertexTabs.IShell;
}

export namespace VertexTabs {
  /**
   * The tracker's namespace, also the layout restorer's key prefix.
   */
  export const NAMESPACE = 'jupyter-vertex-tabs';

  /**
   * The part of the JupyterLab shell the tabs use.
   */
  export interface IShell {
    add(widget: Widget, area: 'main', options?: { activate?: boolean }): void;
    activateById(id: string): void;
  }

  export interface IOptions {
    context: ITabContext;
    shell: IShell;
  }
}
