"""TorchServe model archives (``model.mar``) for the PyTorch serving tests: made by
TorchServe's own ``torch-model-archiver`` (``make_archive``), or written as it writes them
(``write_archive``, for archives it would not make): a zip of the model's files with
``MAR-INF/MANIFEST.json`` naming, under ``model``, the handler (a built-in name, or the
basename of a handler module shipped in the archive) and the serializedFile (and the
modelFile for eager-mode models, whose serializedFile is a state_dict)."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import torch


def write_archive(
    folder: Path,
    files: dict[str, bytes],
    model: dict[str, Any],
    name: str = "model.mar",
) -> Path:
    """``folder/name``: a model archive of ``files`` whose manifest's ``model`` is ``model``."""
    folder.mkdir(parents=True, exist_ok=True)
    manifest = {
        "createdOn": "22/11/2026 18:00:00",
        "runtime": "python",
        "model": {"modelName": "digits", "modelVersion": "1.0", **model},
        "archiverVersion": "0.12.0",
    }
    path = folder / name
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as archive:
        for file_name, data in files.items():
            archive.writestr(file_name, data)
        archive.writestr("MAR-INF/MANIFEST.json", json.dumps(manifest, indent=2))
    return path


def torchscript_bytes(module: torch.nn.Module, example: torch.Tensor | None = None) -> bytes:
    """``module`` as a TorchScript program's file: traced on ``example`` if given, else scripted."""
    program = torch.jit.trace(module, example) if example is not None else torch.jit.script(module)
    buffer = io.BytesIO()
    torch.jit.save(program, buffer)
    return buffer.getvalue()


def archive_torchscript(
    folder: Path, module: torch.nn.Module, example: torch.Tensor | None = None
) -> Path:
    """``folder/model.mar``: ``module`` as TorchScript with TorchServe's base handler."""
    return write_archive(
        folder,
        {"digits.pt": torchscript_bytes(module, example)},
        {"serializedFile": "digits.pt", "handler": "base_handler"},
    )


def state_dict_bytes(module: torch.nn.Module) -> bytes:
    """``module``'s weights as ``torch.save`` writes its ``state_dict``."""
    buffer = io.BytesIO()
    torch.save(module.state_dict(), buffer)
    return buffer.getvalue()


def archive_eager(folder: Path, module: torch.nn.Module, model_file: Path) -> Path:
    """``folder/model.mar`` by ``torch-model-archiver``: an eager-mode model with
    TorchServe's base handler, the source defining its class (``model_file``) and its
    state_dict."""
    return make_archive(folder, "base_handler", state_dict_bytes(module), "digits.pth", model_file)


def archive_with_handler(folder: Path, module: torch.nn.Module, handler_file: Path) -> Path:
    """``folder/model.mar`` by ``torch-model-archiver``: ``module`` as TorchScript with the
    handler module ``handler_file`` shipped in the archive."""
    return make_archive(folder, handler_file, torchscript_bytes(module), "digits.pt")


def make_archive(
    folder: Path,
    handler: str | Path,
    serialized: bytes,
    serialized_name: str,
    model_file: Path | None = None,
) -> Path:
    """``folder/model.mar`` made by ``torch-model-archiver`` (the test extra installs it) from
    ``serialized`` (a TorchScript program or a state_dict), the ``handler`` (a built-in name
    or a handler module's path) and, for eager-mode models, the ``model_file``."""
    build = folder.parent / f"{folder.name}-build"
    build.mkdir(parents=True)
    folder.mkdir(parents=True, exist_ok=True)
    (build / serialized_name).write_bytes(serialized)
    command = [
        str(Path(sys.executable).parent / "torch-model-archiver"),
        "--model-name=model",
        "--version=1.0",
        f"--serialized-file={build / serialized_name}",
        f"--handler={handler}",
        f"--export-path={folder}",
    ]
    if model_file is not None:
        command.append(f"--model-file={model_file}")
    subprocess.run(command, check=True, capture_output=True, timeout=60)
    return folder / "model.mar"
