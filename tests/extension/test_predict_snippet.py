"""The kernel side of "Predict with Vertex endpoint" (src/dialogs/predict/snippet.ts), in a
real kernel.

The code under test is what the frontend sends: ``probeCode(expression)`` from snippet.ts,
compiled with the project's TypeScript and run by Node, then executed in a real ipykernel
through jupyter_client with ``silent=True, store_history=False``.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from jupyter_client.blocking.client import BlockingKernelClient
from jupyter_client.manager import KernelManager

ROOT = Path(__file__).resolve().parents[2]
SNIPPET = ROOT / "src" / "dialogs" / "predict" / "snippet.ts"
PROBE_MIME = "application/x.jupyter-vertex-probe"

# Transpiles snippet.ts (no imports) to CommonJS and prints probeCode(e, maxBytes) for
# each [e, maxBytes] of the JSON array on stdin.
NODE_SCRIPT = """
const fs = require('fs');
const ts = require('typescript');
const source = fs.readFileSync(process.argv[1], 'utf8');
const js = ts.transpileModule(source, {
  compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2018 }
}).outputText;
const mod = { exports: {} };
new Function('module', 'exports', 'require', js)(mod, mod.exports, require);
const input = JSON.parse(fs.readFileSync(0, 'utf8'));
process.stdout.write(JSON.stringify(input.map(([e, max]) =>
  max === null ? mod.exports.probeCode(e) : mod.exports.probeCode(e, max))));
"""


def probe_codes(cases: list[tuple[str, int | None]]) -> list[str]:
    node = shutil.which("node")
    assert node, "Node.js is needed to build the snippet (it builds the extension too)"
    done = subprocess.run(
        [node, "-e", NODE_SCRIPT, str(SNIPPET)],
        input=json.dumps(cases),
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        check=True,
    )
    codes: list[str] = json.loads(done.stdout)
    return codes


@pytest.fixture(scope="module")
def kernel() -> Iterator[BlockingKernelClient]:
    manager = KernelManager(kernel_name="python3")
    manager.start_kernel()
    client = manager.blocking_client()
    client.start_channels()
    try:
        client.wait_for_ready(timeout=60)
        run(
            client,
            "import math\n"
            "import numpy as np\n"
            "import pandas as pd\n"
            "X = np.arange(12, dtype=float).reshape(3, 4)\n"
            "df = pd.DataFrame({'a': [1.5, 2.5], 'b': [3, 4]})\n"
            "s = pd.Series([0.25, float('nan'), 0.75], name='p')\n"
            "words = ['cat', 2, None]\n",
        )
        yield client
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)


def run(client: BlockingKernelClient, code: str, **options: Any) -> list[dict[str, Any]]:
    """Execute and collect the iopub messages of this request until the kernel is idle."""
    msg_id = client.execute(code, **options)
    messages: list[dict[str, Any]] = []
    while True:
        message = client.get_iopub_msg(timeout=30)
        if message["parent_header"].get("msg_id") != msg_id:
            continue
        messages.append(message)
        if message["msg_type"] == "status" and message["content"]["execution_state"] == "idle":
            break
    # Skip replies to earlier requests: wait_for_ready may leave a kernel_info_reply behind.
    reply = client.get_shell_msg(timeout=30)
    while reply["parent_header"].get("msg_id") != msg_id:
        reply = client.get_shell_msg(timeout=30)
    assert reply["content"]["status"] == "ok", reply["content"]
    return messages


def user_names(client: BlockingKernelClient) -> list[str]:
    msg_id = client.execute("", silent=True, user_expressions={"names": "sorted(globals())"})
    while True:
        reply = client.get_shell_msg(timeout=30)
        if reply["parent_header"]["msg_id"] == msg_id:
            break
    names: list[str] = eval(reply["content"]["user_expressions"]["names"]["data"]["text/plain"])  # noqa: S307
    return names


def probe(client: BlockingKernelClient, expression: str, max_bytes: int | None = None) -> Any:
    (code,) = probe_codes([(expression, max_bytes)])
    messages = run(client, code, silent=True, store_history=False)
    kinds = [m["msg_type"] for m in messages]
    # Only the answer: no execute_input, execute_result, stream or error output.
    assert kinds == ["status", "display_data", "status"], kinds
    data = messages[1]["content"]["data"]
    assert list(data) == [PROBE_MIME]
    return json.loads(data[PROBE_MIME])


def test_a_list_of_lists(kernel: BlockingKernelClient) -> None:
    answer = probe(kernel, "[[1, 2.5], [3, 4]]")
    assert answer == {
        "ok": True,
        "kind": "list",
        "typeName": "list",
        "shape": [2, 2],
        "dtype": None,
        "columns": None,
        "values": [[1, 2.5], [3, 4]],
        "issues": {"nan": 0, "infinity": 0, "missing": 0, "nonNumeric": 0, "first": []},
    }


def test_an_ndarray_slice(kernel: BlockingKernelClient) -> None:
    answer = probe(kernel, "X[:2]")
    assert answer["kind"] == "ndarray"
    assert answer["typeName"] == "numpy.ndarray"
    assert answer["shape"] == [2, 4]
    assert answer["dtype"] == "float64"
    assert answer["values"] == [[0.0, 1.0, 2.0, 3.0], [4.0, 5.0, 6.0, 7.0]]


def test_a_dataframe(kernel: BlockingKernelClient) -> None:
    answer = probe(kernel, "df")
    assert answer["kind"] == "DataFrame"
    assert answer["typeName"] == "pandas.DataFrame"
    assert answer["shape"] == [2, 2]
    assert answer["columns"] == ["a", "b"]
    assert answer["dtype"] == "float64, int64"
    assert answer["values"] == [[1.5, 3.0], [2.5, 4.0]]


def test_a_series_with_nan(kernel: BlockingKernelClient) -> None:
    answer = probe(kernel, "s")
    assert answer["kind"] == "Series"
    assert answer["shape"] == [3]
    assert answer["dtype"] == "float64"
    assert answer["values"] == [0.25, None, 0.75]
    assert answer["issues"] == {
        "nan": 1,
        "infinity": 0,
        "missing": 0,
        "nonNumeric": 0,
        "first": [{"path": [1], "problem": "nan", "value": "nan"}],
    }


def test_nan_and_infinity_in_an_expression(kernel: BlockingKernelClient) -> None:
    answer = probe(kernel, "[[1.0, math.inf], [float('nan'), -math.inf]]")
    assert answer["values"] == [[1.0, None], [None, None]]
    assert answer["issues"]["nan"] == 1
    assert answer["issues"]["infinity"] == 2
    assert [i["path"] for i in answer["issues"]["first"]] == [[0, 1], [1, 0], [1, 1]]


def test_strings_and_missing_values(kernel: BlockingKernelClient) -> None:
    answer = probe(kernel, "words")
    assert answer["shape"] == [3]
    assert answer["values"] == ["cat", 2, None]
    assert answer["issues"]["nonNumeric"] == 1
    assert answer["issues"]["missing"] == 1
    assert answer["issues"]["first"] == [
        {"path": [0], "problem": "non-numeric", "value": "'cat'"},
        {"path": [2], "problem": "missing", "value": "None"},
    ]


def test_a_name_error(kernel: BlockingKernelClient) -> None:
    answer = probe(kernel, "not_defined_anywhere[:3]")
    assert answer == {
        "ok": False,
        "error": {"type": "NameError", "message": "name 'not_defined_anywhere' is not defined"},
    }


def test_a_statement_is_not_an_expression(kernel: BlockingKernelClient) -> None:
    answer = probe(kernel, "y = X[:3]")
    assert answer["ok"] is False
    assert answer["error"]["type"] == "SyntaxError"
    assert answer["error"]["message"].startswith("The selection is not a Python expression")


def test_a_value_that_is_too_large(kernel: BlockingKernelClient) -> None:
    answer = probe(kernel, "X", 50)
    assert answer["ok"] is False
    assert answer["error"]["type"] == "TooLarge"


def test_quotes_and_newlines_in_the_expression(kernel: BlockingKernelClient) -> None:
    answer = probe(kernel, 'df[\n"a"\n].tolist() + [len("\\"x\\"")]')
    assert answer["values"] == [1.5, 2.5, 3]


def test_leaves_nothing_in_the_namespace_or_history(kernel: BlockingKernelClient) -> None:
    before = user_names(kernel)
    probe(kernel, "X[:3]")
    probe(kernel, "undefined_name")
    assert user_names(kernel) == before
    # Nothing was added to the input history either.
    messages = run(kernel, "len(In)")
    (result,) = [m for m in messages if m["msg_type"] == "execute_result"]
    assert result["content"]["data"]["text/plain"] == "3"
