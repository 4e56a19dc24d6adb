"""TorchServe model archives (``model.mar``) for the PyTorch serving tests, written as
torch-model-archiver writes them: a zip of the model's files with ``MAR-INF/MANIFEST.json``
naming, under ``model``, the handler and the serializedFile (and modelFile for eager-mode
models)."""

from __future__ import annotations

import io
import json
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
