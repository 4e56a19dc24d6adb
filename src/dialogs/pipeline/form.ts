import { TranslationBundle } from '@jupyterlab/translation';
import type { IPipelineParameter, IPipelineRunRequest } from '../../api/types';

/**
 * The Run as pipeline form: one text per parameter (as typed; checked and
 * converted to the parameter's type on submit), the pipeline root and
 * caching (`default` leaves each task's compiled setting).
 */
export interface IPipelineForm {
  path: string;
  pipeline: string | null;
  parameters: IPipelineParameter[];
  values: Record<string, string>;
  pipelineRoot: string;
  caching: 'default' | 'on' | 'off';
  displayName: string;
}

/**
 * How a value is shown in its field: strings as they are, JSON otherwise.
 */
export function valueText(value: unknown): string {
  if (value === undefined || value === null) {
    return '';
  }
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/**
 * The form for a pipeline's parameters: each field holds `values[name]`
 * when given (a re-run's), else the parameter's default.
 */
export function initialPipelineForm(options: {
  path: string;
  pipeline?: string | null;
  parameters: IPipelineParameter[];
  pipelineRoot: string;
  displayName?: string;
  values?: Record<string, unknown>;
}): IPipelineForm {
  const values: Record<string, string> = {};
  for (const param of options.parameters) {
    const given = options.values?.[param.name];
    values[param.name] = valueText(given !== undefined ? given : param.default);
  }
  return {
    path: options.path,
    pipeline: options.pipeline ?? null,
    parameters: options.parameters,
    values,
    pipelineRoot: options.pipelineRoot,
    caching: 'default',
    displayName: options.displayName ?? ''
  };
}

type Parsed = { value: unknown } | { error: string } | null;

/**
 * A field's text as its parameter's type; `null` when empty (the default
 * applies, or the parameter is missing).
 */
export function parseValue(
  param: IPipelineParameter,
  text: string,
  trans: TranslationBundle
): Parsed {
  if (text.trim() === '' && param.type !== 'string') {
    return null;
  }
  if (text === '' && param.type === 'string') {
    return param.optional ? null : { value: '' };
  }
  switch (param.type) {
    case 'string':
      return { value: text };
    case 'integer':
      return /^[-+]?\d+$/.test(text.trim())
        ? { value: Number(text.trim()) }
        : { error: trans.__('A whole number, e.g. 3.') };
    case 'number': {
      const n = Number(text.trim());
      return Number.isFinite(n)
        ? { value: n }
        : { error: trans.__('A number, e.g. 0.5.') };
    }
    case 'boolean':
      return text === 'true' || text === 'false'
        ? { value: text === 'true' }
        : { error: trans.__('true or false.') };
    case 'list':
    case 'object': {
      try {
        const value: unknown = JSON.parse(text);
        const isList = Array.isArray(value);
        const ok =
          param.type === 'list'
            ? isList
            : !isList && typeof value === 'object' && value !== null;
        return ok
          ? { value }
          : {
              error:
                param.type === 'list'
                  ? trans.__('A JSON list, e.g. [1, 2].')
                  : trans.__('A JSON object, e.g. {"k": 1}.')
            };
      } catch {
        return { error: trans.__('Not valid JSON.') };
      }
    }
  }
}

/**
 * What to fix, by field (`param:NAME`, `pipelineRoot`); empty when none.
 */
export function checkPipelineForm(
  form: IPipelineForm,
  trans: TranslationBundle
): Record<string, string> {
  const problems: Record<string, string> = {};
  for (const param of form.parameters) {
    const parsed = parseValue(param, form.values[param.name] ?? '', trans);
    if (parsed === null && !param.optional) {
      problems[`param:${param.name}`] = trans.__('Required.');
    } else if (parsed && 'error' in parsed) {
      problems[`param:${param.name}`] = parsed.error;
    }
  }
  const root = form.pipelineRoot.trim();
  if (root && !root.startsWith('gs://')) {
    problems['pipelineRoot'] = trans.__(
      'A Cloud Storage folder: gs://BUCKET/PATH.'
    );
  }
  return problems;
}

/**
 * The request of a checked form: typed values of the fields filled in.
 */
export function pipelineRequest(
  form: IPipelineForm,
  trans: TranslationBundle
): IPipelineRunRequest {
  const parameterValues: Record<string, unknown> = {};
  for (const param of form.parameters) {
    const parsed = parseValue(param, form.values[param.name] ?? '', trans);
    if (parsed && 'value' in parsed) {
      parameterValues[param.name] = parsed.value;
    }
  }
  return {
    path: form.path,
    pipeline: form.pipeline,
    displayName: form.displayName.trim() || null,
    parameterValues,
    pipelineRoot: form.pipelineRoot.trim() || null,
    enableCaching: form.caching === 'default' ? null : form.caching === 'on'
  };
}

/**
 * The field a server refusal names: a parameter (`parameter_values[a]`, `the
 * required parameter 'a'`, `no parameter 'a'`) or the pipeline root.
 */
export function fieldOfPipelineMessage(message: string): string | null {
  const param =
    /parameter_values\[([^\]]+)\]/.exec(message) ??
    /parameter '([^']+)'/.exec(message);
  if (param) {
    return `param:${param[1]}`;
  }
  return /pipelineRoot|gcs_output_directory/.test(message)
    ? 'pipelineRoot'
    : null;
}
