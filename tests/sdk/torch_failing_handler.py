"""A TorchServe handler function that fails to initialize (tests/sdk/test_sdk_pytorch.py):
TorchServe's loader initializes a function handler by calling it with no data."""

from typing import Any


def handle(data: Any, context: Any) -> Any:
    if data is None:
        raise RuntimeError("The digits labels are not in the archive (labels.json).")
    return data
