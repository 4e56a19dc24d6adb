import { CodeEditor } from '@jupyterlab/codeeditor';
import { Kernel, KernelMessage } from '@jupyterlab/services';
import { TranslationBundle } from '@jupyterlab/translation';
import {
  DEFAULT_MAX_BYTES,
  PROBE_MIME,
  ProbeResult,
  probeCode
} from './snippet';

/**
 * The selected text of an editor, or its cursor's line when nothing is
 * selected; trimmed.
 */
export function selectedExpression(editor: CodeEditor.IEditor): string {
  const selection = editor.getSelection();
  const source = editor.model.sharedModel.getSource();
  const start = editor.getOffsetAt(selection.start);
  const end = editor.getOffsetAt(selection.end);
  if (start !== end) {
    return source.slice(Math.min(start, end), Math.max(start, end)).trim();
  }
  return (editor.getLine(selection.start.line) ?? '').trim();
}

/**
 * Evaluate `expression` in the kernel with the probe (silently, without
 * history) and answer what it sent back.
 *
 * Rejects with a message for people when the kernel fails or sends nothing.
 */
export async function evaluateInKernel(
  kernel: Kernel.IKernelConnection,
  expression: string,
  trans: TranslationBundle,
  maxBytes: number = DEFAULT_MAX_BYTES
): Promise<ProbeResult> {
  const future = kernel.requestExecute(
    {
      code: probeCode(expression, maxBytes),
      silent: true,
      store_history: false,
      allow_stdin: false,
      stop_on_error: false
    },
    true
  );
  let answer: string | null = null;
  future.onIOPub = message => {
    if (KernelMessage.isDisplayDataMsg(message)) {
      const data = message.content.data[PROBE_MIME];
      if (typeof data === 'string') {
        answer = data;
      }
    }
  };
  const reply = await future.done;
  const content = reply?.content;
  if (content && content.status === 'error') {
    throw new Error(
      trans.__(
        'The kernel could not evaluate the selection: %1: %2',
        content.ename,
        content.evalue
      )
    );
  }
  if (answer === null) {
    throw new Error(
      trans.__(
        'The kernel sent no answer. Predict with Vertex endpoint needs an IPython kernel (ipykernel).'
      )
    );
  }
  return JSON.parse(answer) as ProbeResult;
}
