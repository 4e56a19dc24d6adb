"""``python -m jupyter_vertex.services.pipelines.compile_child FILE [FUNCTION]``: compile a
``@dsl.pipeline`` of a Python file with kfp's own compiler, in a child process (the file is
the user's code: it never runs in the Jupyter server's process or on its event loop).

Prints one JSON object on stdout: ``{"pipelines": [names], "spec": {...}}`` (``spec`` is the
compiled PipelineSpec of FUNCTION, or of the only pipeline) or ``{"pipelines": [...],
"error": "..."}``. Exit status 0 either way; anything else is a crash the caller reports.
"""

from __future__ import annotations

import json
import runpy
import sys
import tempfile
import traceback
from pathlib import Path
from typing import Any


def _answer(data: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(data))
    sys.stdout.flush()


def main(argv: list[str]) -> None:
    path = Path(argv[0])
    wanted = argv[1] if len(argv) > 1 else ""
    try:
        from kfp import compiler
        from kfp.dsl.graph_component import GraphComponent
    except ImportError:
        _answer({"pipelines": [], "error": "kfp is not installed in the Jupyter server's Python."})
        return
    sys.path.insert(0, str(path.parent))  # the file's own imports, as `python FILE` has them
    try:
        found = runpy.run_path(str(path), run_name="__jupyter_vertex_pipeline__")
    except BaseException:  # the user's code: any failure is its message, not ours
        lines = traceback.format_exc().strip().splitlines()
        _answer({"pipelines": [], "error": f"Running {path.name} failed: {lines[-1]}"})
        return
    pipelines = {k: v for k, v in found.items() if isinstance(v, GraphComponent)}
    names = sorted(pipelines)
    if not names:
        _answer({"pipelines": [], "error": f"{path.name} defines no @dsl.pipeline function."})
        return
    if not wanted and len(names) > 1:
        _answer({"pipelines": names, "error": f"{path.name} defines several pipelines."})
        return
    chosen = wanted or names[0]
    if chosen not in pipelines:
        _answer({"pipelines": names, "error": f"{path.name} defines no pipeline {chosen!r}."})
        return
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "pipeline.json"
        try:
            compiler.Compiler().compile(pipelines[chosen], str(out))
        except Exception as exc:
            _answer({"pipelines": names, "error": f"kfp could not compile {chosen}: {exc}"})
            return
        spec = json.loads(out.read_text())
    _answer({"pipelines": names, "function": chosen, "spec": spec})


if __name__ == "__main__":
    main(sys.argv[1:])
