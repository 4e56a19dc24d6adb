"""The digits classifier of the PyTorch serving tests. Eager-mode archives ship this file as
their ``modelFile``: TorchServe's base handler imports it from the extracted archive and
builds the one class it defines, so this file defines exactly one class."""

import torch


class Digits(torch.nn.Module):
    """A small classifier on the digits features (64 pixels, 0-16): class probabilities."""

    def __init__(self) -> None:
        super().__init__()
        self.linear = torch.nn.Linear(64, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.softmax(self.linear(x / 16), dim=1)
