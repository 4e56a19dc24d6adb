"""The SDK code of a pipeline run the API makes: ``aiplatform.PipelineJob(...).submit()`` on
the compiled file (a ``.py`` is compiled with kfp first). Values are written with ``repr``."""

from __future__ import annotations

from typing import Any

__all__ = ["pipeline_code"]


def pipeline_code(
    *,
    path: str,
    function: str | None,
    display_name: str,
    pipeline_root: str,
    parameter_values: dict[str, Any],
    enable_caching: bool | None,
    project: str,
    region: str,
) -> str:
    lines = ["from google.cloud import aiplatform"]
    template = path
    if function is not None:
        module = path.rsplit("/", 1)[-1].removesuffix(".py")
        template = f"{module}.yaml"
        lines += [
            "from kfp import compiler",
            "",
            f"from {module} import {function}",
            "",
            f"compiler.Compiler().compile({function}, {template!r})",
        ]
    lines += [
        "",
        f"aiplatform.init(project={project!r}, location={region!r})",
        "# On the embedded Vertex instead: import jupyter_vertex.emulator; "
        "jupyter_vertex.emulator.init()",
        "",
        "job = aiplatform.PipelineJob(",
        f"    display_name={display_name!r},",
        f"    template_path={template!r},",
        f"    pipeline_root={pipeline_root!r},",
        f"    parameter_values={parameter_values!r},",
    ]
    if enable_caching is not None:
        lines.append(f"    enable_caching={enable_caching!r},")
    lines += [")", "job.submit()", ""]
    return "\n".join(lines)
