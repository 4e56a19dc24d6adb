import { Clipboard } from '@jupyterlab/apputils';
import { IDefaultFileBrowser } from '@jupyterlab/filebrowser';
import { INotebookTracker, NotebookActions } from '@jupyterlab/notebook';

/**
 * Put code into the active notebook as a new code cell below the active one
 * (the notebook is brought forward), or copy it when no notebook is open.
 */
export function cellInserter(
  notebooks: INotebookTracker | null,
  activate: (id: string) => void
): (code: string) => Promise<'inserted' | 'copied'> {
  return async code => {
    const panel = notebooks?.currentWidget ?? null;
    if (!panel) {
      Clipboard.copyToSystem(code);
      return 'copied';
    }
    const notebook = panel.content;
    NotebookActions.insertBelow(notebook);
    const cell = notebook.activeCell;
    if (cell && cell.model.type !== 'code') {
      NotebookActions.changeCellType(notebook, 'code');
    }
    notebook.activeCell?.model.sharedModel.setSource(code);
    activate(panel.id);
    return 'inserted';
  };
}

/**
 * The files selected in the file browser (folders left out), for the Batch
 * predict dialog's input.
 */
export function selectedFiles(
  browser: IDefaultFileBrowser | null
): () => string[] {
  return () => {
    if (!browser) {
      return [];
    }
    const paths: string[] = [];
    for (const item of browser.selectedItems()) {
      if (item.type !== 'directory') {
        paths.push(item.path);
      }
    }
    return paths;
  };
}
