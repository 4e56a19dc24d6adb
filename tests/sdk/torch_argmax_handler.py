"""A custom TorchServe handler shipped inside a model archive (tests/sdk/test_sdk_pytorch.py):
TorchServe's base handler loads the model; this one checks the instances (64 pixel values
each, refused with its own message otherwise) and answers each row's most probable class.
TorchServe's loader takes the one class a handler module defines."""

from typing import Any

import torch
from ts.torch_handler.base_handler import BaseHandler

FEATURES = 64


class ArgmaxHandler(BaseHandler):
    def preprocess(self, data: list[Any]) -> torch.Tensor:
        for index, row in enumerate(data):
            if not isinstance(row, list) or len(row) != FEATURES:
                raise ValueError(f"Instance {index} is not a list of {FEATURES} pixel values.")
        return torch.as_tensor(data, dtype=torch.float32)

    def postprocess(self, data: torch.Tensor) -> list[int]:
        return [int(label) for label in data.argmax(dim=1)]
