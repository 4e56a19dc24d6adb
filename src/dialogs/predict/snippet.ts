/**
 * The kernel side of "Predict with Vertex endpoint": Python that evaluates
 * the selected expression in the notebook's namespace and sends back its
 * value as JSON, leaving nothing behind in that namespace.
 *
 * Tested in a real ipykernel by tests/extension/test_predict_snippet.py,
 * which runs `probeCode` from this file. No imports here, so that test can
 * load this file alone.
 */

/**
 * The MIME type of the one display message the probe sends.
 */
export const PROBE_MIME = 'application/x.jupyter-vertex-probe';

/**
 * The largest JSON the probe sends back (bulk predictions take up to
 * 512 MiB, a browser tab is happier with less).
 */
export const DEFAULT_MAX_BYTES = 64 * 1024 * 1024;

/**
 * What the probe found about one value that is not a plain number.
 */
export interface IProbeIssue {
  /**
   * Where: indices into the value, e.g. `[3, 17]` (row, column).
   */
  path: number[];
  problem: 'nan' | 'infinity' | 'missing' | 'non-numeric';
  /**
   * `repr()` of the value, shortened.
   */
  value: string;
}

/**
 * The probe's answer for an expression that evaluated and serialized.
 */
export interface IProbeValue {
  ok: true;
  /**
   * `ndarray`, `DataFrame`, `Series`, `list`, `tuple`, `dict`, `scalar` or
   * `array` (anything else with `__array__`, e.g. a tensor).
   */
  kind: string;
  /**
   * The Python type, e.g. `numpy.ndarray`.
   */
  typeName: string;
  /**
   * The shape; `null` for dicts and ragged lists.
   */
  shape: number[] | null;
  dtype: string | null;
  columns: string[] | null;
  /**
   * The value as JSON: nested lists; NaN, infinities and missing values
   * are `null` (and counted in `issues`).
   */
  values: unknown;
  issues: {
    nan: number;
    infinity: number;
    missing: number;
    nonNumeric: number;
    /**
     * The first few, in order.
     */
    first: IProbeIssue[];
  };
}

/**
 * The probe's answer when the expression could not be evaluated or sent.
 */
export interface IProbeError {
  ok: false;
  error: {
    /**
     * The Python exception's name (`NameError`, `SyntaxError`, …) or
     * `TooLarge`, `Unsupported`.
     */
    type: string;
    message: string;
  };
}

export type ProbeResult = IProbeValue | IProbeError;

/**
 * The Python that runs in the kernel. It runs in a fresh globals dict (see
 * `probeCode`), so none of its names reach the user's namespace; only the
 * expression itself is evaluated against that namespace.
 */
export const PROBE_SOURCE = String.raw`
import json
import math
import sys

MAX_ISSUES = 5


def type_name(value):
    cls = type(value)
    module = cls.__module__
    return cls.__qualname__ if module == "builtins" else module + "." + cls.__qualname__


def short_repr(value):
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


class Walker:
    """Turns nested lists of Python values into JSON-safe values, counting
    what is not a finite number."""

    def __init__(self):
        self.counts = {"nan": 0, "infinity": 0, "missing": 0, "nonNumeric": 0}
        self.first = []

    def note(self, problem, path, value):
        key = "nonNumeric" if problem == "non-numeric" else problem
        self.counts[key] += 1
        if len(self.first) < MAX_ISSUES:
            self.first.append(
                {"path": list(path), "problem": problem, "value": short_repr(value)}
            )

    def walk(self, value, path):
        if isinstance(value, bool):
            return value
        if isinstance(value, int):
            return value
        if isinstance(value, float):
            if math.isnan(value):
                self.note("nan", path, value)
                return None
            if math.isinf(value):
                self.note("infinity", path, value)
                return None
            return value
        if isinstance(value, (list, tuple)):
            return [self.walk(item, path + (i,)) for i, item in enumerate(value)]
        if isinstance(value, dict):
            return {str(k): self.walk(v, path) for k, v in value.items()}
        if value is None or type_name(value) in ("pandas._libs.missing.NAType", "NaTType"):
            self.note("missing", path, value)
            return None
        plain = to_plain(value)
        if plain is not value:
            return self.walk(plain, path)
        if isinstance(value, str):
            self.note("non-numeric", path, value)
            return value
        self.note("non-numeric", path, value)
        return str(value)


def to_plain(value):
    """numpy/pandas values (and anything with tolist or __array__) as Python
    lists and scalars; other values unchanged."""
    numpy = sys.modules.get("numpy")
    if numpy is not None and isinstance(value, numpy.generic):
        return value.item()
    if numpy is not None and isinstance(value, numpy.ndarray):
        return value.tolist()
    tolist = getattr(value, "tolist", None)
    if callable(tolist) and not isinstance(value, (str, bytes)):
        try:
            return tolist()
        except Exception:
            pass
    if numpy is not None and hasattr(value, "__array__"):
        return numpy.asarray(value).tolist()
    return value


def list_shape(value):
    """The shape of nested lists, or None when ragged or not lists."""
    if isinstance(value, dict):
        return None
    if not isinstance(value, (list, tuple)):
        return []
    if not value:
        return [0]
    inner = [list_shape(item) for item in value]
    first = inner[0]
    if first is None or any(shape != first for shape in inner[1:]):
        return None
    return [len(value)] + first


def describe(value):
    """(kind, shape, dtype, columns, plain value)"""
    module = type(value).__module__.split(".")[0]
    name = type(value).__name__
    if module == "pandas" and name == "DataFrame":
        columns = [str(c) for c in value.columns]
        dtypes = sorted({str(d) for d in value.dtypes})
        return "DataFrame", list(value.shape), ", ".join(dtypes), columns, value.to_numpy().tolist()
    if module == "pandas" and name == "Series":
        return "Series", list(value.shape), str(value.dtype), None, value.to_numpy().tolist()
    numpy = sys.modules.get("numpy")
    if numpy is not None and isinstance(value, numpy.ndarray):
        return "ndarray", list(value.shape), str(value.dtype), None, value.tolist()
    if isinstance(value, (list, tuple)):
        kind = "list" if isinstance(value, list) else "tuple"
        return kind, None, None, None, value
    if isinstance(value, dict):
        return "dict", None, None, None, value
    if isinstance(value, (bool, int, float, str)) or value is None:
        return "scalar", [], type(value).__name__, None, value
    if numpy is not None and isinstance(value, numpy.generic):
        return "scalar", [], str(value.dtype), None, value.item()
    if numpy is not None and hasattr(value, "__array__"):
        array = numpy.asarray(value)
        return "array", list(array.shape), str(array.dtype), None, array.tolist()
    raise TypeError(
        "A " + type_name(value) + " cannot be sent as prediction instances: "
        "select a list, a NumPy array, a pandas DataFrame or Series."
    )


def probe(source):
    from IPython import get_ipython

    shell = get_ipython()
    namespace = shell.user_ns if shell is not None else {}
    source = source.strip()
    if not source:
        return {"ok": False, "error": {"type": "SyntaxError", "message": "Nothing is selected."}}
    try:
        code = compile(source, "<selection>", "eval")
    except SyntaxError as error:
        return {
            "ok": False,
            "error": {
                "type": "SyntaxError",
                "message": "The selection is not a Python expression: " + str(error.msg) + ".",
            },
        }
    try:
        value = eval(code, namespace)
        kind, shape, dtype, columns, plain = describe(value)
    except Exception as error:
        return {"ok": False, "error": {"type": type(error).__name__, "message": str(error)}}
    walker = Walker()
    values = walker.walk(plain, ())
    if shape is None and kind in ("list", "tuple"):
        shape = list_shape(values)
    issues = dict(walker.counts)
    issues["first"] = walker.first
    return {
        "ok": True,
        "kind": kind,
        "typeName": type_name(value),
        "shape": shape,
        "dtype": dtype,
        "columns": columns,
        "values": values,
        "issues": issues,
    }


def send(answer, max_bytes):
    from IPython.display import publish_display_data

    text = json.dumps(answer, allow_nan=False, separators=(",", ":"))
    if len(text) > max_bytes:
        text = json.dumps(
            {
                "ok": False,
                "error": {
                    "type": "TooLarge",
                    "message": "The value is %.1f MB as JSON; at most %.1f MB can be sent."
                    % (len(text) / 1e6, max_bytes / 1e6),
                },
            }
        )
    publish_display_data({MIME: text})


send(probe(EXPRESSION), MAX_BYTES)
`;

/**
 * The code to execute (`silent: true, store_history: false`) to evaluate
 * `expression` in the kernel: the probe runs in a globals dict of its own,
 * which is dropped when it ends.
 */
export function probeCode(
  expression: string,
  maxBytes: number = DEFAULT_MAX_BYTES
): string {
  // A JSON string literal is also a valid Python string literal.
  const scope = [
    `"__name__": "__jupyter_vertex_probe__"`,
    `"EXPRESSION": ${JSON.stringify(expression)}`,
    `"MAX_BYTES": ${Math.floor(maxBytes)}`,
    `"MIME": ${JSON.stringify(PROBE_MIME)}`
  ].join(', ');
  // Through builtins, in case the user's namespace shadows exec or compile.
  const builtins = '__import__("builtins")';
  return (
    `${builtins}.exec(${builtins}.compile(${JSON.stringify(PROBE_SOURCE)}, ` +
    `"<jupyter-vertex probe>", "exec"), {${scope}})`
  );
}
