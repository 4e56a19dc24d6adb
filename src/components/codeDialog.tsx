import { Clipboard, Dialog, showDialog } from '@jupyterlab/apputils';
import { TranslationBundle } from '@jupyterlab/translation';
import * as React from 'react';

/**
 * SDK code as every view shows it: a focusable block screen readers name.
 */
export function CodeBlock(props: {
  code: string;
  trans: TranslationBundle;
}): JSX.Element {
  return (
    <pre
      className="jp-Vertex-codeBlock"
      aria-label={props.trans.__('Python SDK code')}
      tabIndex={0}
    >
      {props.code}
    </pre>
  );
}

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
    body: <CodeBlock code={code} trans={trans} />,
    buttons: [
      Dialog.cancelButton({ label: trans.__('Close') }),
      Dialog.okButton({ label: trans.__('Copy') })
    ]
  });
  if (result.button.accept) {
    Clipboard.copyToSystem(code);
  }
}
