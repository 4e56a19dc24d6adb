import { nullTranslator } from '@jupyterlab/translation';
import {
  argmaxOfProbabilities,
  defaultMode,
  formatShape,
  instancesOf,
  issueSummary,
  needsBulk
} from '../instances';
import { selectedExpression } from '../kernel';
import { probeCode, PROBE_SOURCE } from '../snippet';
import { probeValue } from './fixtures';

jest.mock('@jupyterlab/apputils', () => ({
  ...jest.requireActual('@jupyterlab/apputils'),
  showErrorMessage: jest.fn(async () => undefined)
}));

const trans = nullTranslator.load('jupyter_vertex');

describe('instances', () => {
  it('defaults to rows for 2-D values and one instance for 1-D', () => {
    expect(defaultMode(probeValue())).toBe('rows');
    expect(defaultMode(probeValue({ shape: [64], values: [1, 2] }))).toBe(
      'one'
    );
    expect(
      defaultMode(probeValue({ shape: null, values: [[1], [2, 3]] }))
    ).toBe('rows');
    expect(
      defaultMode(probeValue({ kind: 'scalar', shape: [], values: 3 }))
    ).toBe('one');
  });

  it('builds the instances of each mode', () => {
    const value = probeValue();
    expect(instancesOf(value, 'rows')).toEqual(value.values);
    expect(instancesOf(value, 'one')).toEqual([value.values]);
    expect(formatShape(value)).toBe('(3, 2)');
    expect(formatShape(probeValue({ shape: [64] }))).toBe('(64,)');
  });

  it('goes bulk above the online body limit', () => {
    const rows = Array.from({ length: 100 }, () => [1.25, 2.5, 3.75]);
    expect(needsBulk(rows)).toBe(false);
    expect(needsBulk(rows, 1000)).toBe(true);
  });

  it('finds the argmax of class-probability vectors only', () => {
    expect(argmaxOfProbabilities([0.1, 0.7, 0.2])).toBe(1);
    expect(argmaxOfProbabilities([0.5, 0.7, 0.2])).toBeNull();
    expect(argmaxOfProbabilities([3, 4])).toBeNull();
    expect(argmaxOfProbabilities(7)).toBeNull();
  });

  it('says clearly what is not a number, and blocks NaN', () => {
    const nan = issueSummary(
      probeValue({
        issues: {
          nan: 2,
          infinity: 1,
          missing: 0,
          nonNumeric: 0,
          first: [
            { path: [0, 1], problem: 'nan', value: 'nan' },
            { path: [2, 0], problem: 'infinity', value: 'inf' }
          ]
        }
      }),
      trans
    );
    expect(nan?.blocking).toBe(true);
    expect(nan?.text).toBe(
      '2 NaN values, 1 infinite value (first: [0, 1] = nan, [2, 0] = inf). JSON cannot carry NaN or Infinity and the model needs every value: fill or drop them first, e.g. `X.fillna(0)` or `np.nan_to_num(X)`.'
    );
    const words = issueSummary(
      probeValue({
        issues: {
          nan: 0,
          infinity: 0,
          missing: 0,
          nonNumeric: 1,
          first: [{ path: [0], problem: 'non-numeric', value: "'cat'" }]
        }
      }),
      trans
    );
    expect(words).toEqual({
      blocking: false,
      text: "1 non-numeric value (first: [0] = 'cat'). They are sent as they are; the model may reject them."
    });
    expect(issueSummary(probeValue(), trans)).toBeNull();
  });
});

describe('snippet', () => {
  it('runs the probe in a scope of its own with the expression as a literal', () => {
    const code = probeCode('X["a\\"b"]', 100);
    expect(code.startsWith('__import__("builtins").exec(')).toBe(true);
    expect(code).toContain('"EXPRESSION": "X[\\"a\\\\\\"b\\"]"');
    expect(code).toContain('"MAX_BYTES": 100');
    expect(code).toContain(JSON.stringify(PROBE_SOURCE));
  });
});

describe('selectedExpression', () => {
  function editor(source: string, start: number, end: number) {
    const position = (offset: number) => {
      const before = source.slice(0, offset).split('\n');
      return {
        line: before.length - 1,
        column: before[before.length - 1].length
      };
    };
    return {
      model: { sharedModel: { getSource: () => source } },
      getSelection: () => ({ start: position(start), end: position(end) }),
      getOffsetAt: (p: { line: number; column: number }) =>
        source
          .split('\n')
          .slice(0, p.line)
          .reduce((n, l) => n + l.length + 1, 0) + p.column,
      getLine: (line: number) => source.split('\n')[line]
    } as any;
  }

  it('takes the selection, else the current line', () => {
    const source = 'model.fit(X, y)\nmodel.predict(X[:3])\n';
    expect(selectedExpression(editor(source, 30, 35))).toBe('X[:3]');
    expect(selectedExpression(editor(source, 20, 20))).toBe(
      'model.predict(X[:3])'
    );
  });
});
