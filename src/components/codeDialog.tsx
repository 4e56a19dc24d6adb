import { Clipboard, Dialog, showDialog } from '@jupyterlab/apputils';
import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

/**
 * Show SDK code in a dialog whose main button copies it.
 */
export async function showCodeDialog(
  title: string,
  code: string,
  trans: TranslationBundle
): Promise<void> {
  const result = await showDialog({
    title,
    body: (
      <pre
        className="jp-Vertex-codeBlock"
        aria-label={trans.__('Python SDK code')}
        tabIndex={0}
      >
        {code}
      </pre>
    ),
    buttons: [
      Dialog.cancelButton({ label: trans.__('Close') }),
      Dialog.okButton({ label: trans.__('Copy') })
    ]
  });
  if (result.button.accept) {
    Clipboard.copyToSystem(code);
  }
}
