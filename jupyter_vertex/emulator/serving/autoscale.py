"""Autoscaling of a deployed model's model servers between min and max replicas.

Vertex scales a deployed model on CPU utilization (target 60 % unless
``autoscalingMetricSpecs`` says otherwise). Here a model server handles one request at a
time (one worker), so the measured signal is the time-averaged number of requests in flight
per replica over a window: a replica busy the whole window is at 100 %. Each window the
wanted count is ``ceil(replicas × utilization / target)`` within min..max; more replicas
start at once, fewer only after the load has stayed low for the scale-in delay.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Any

CPU_METRIC = "aiplatform.googleapis.com/prediction/online/cpu/utilization"
DEFAULT_TARGET = 60  # percent, Vertex's default


@dataclass(frozen=True)
class Scaling:
    """A deployed model's replica bounds (already capped), utilization target (percent)
    and accelerators per replica (its machine spec's count; 0 without accelerators)."""

    min_replicas: int
    max_replicas: int
    target: int = DEFAULT_TARGET
    accelerators: int = 0

    def clamp(self, count: int) -> int:
        return max(self.min_replicas, min(count, self.max_replicas))


def target_of(resources: dict[str, Any]) -> int:
    """The CPU utilization target of ``dedicatedResources.autoscalingMetricSpecs``."""
    for spec in resources.get("autoscalingMetricSpecs") or []:
        if spec.get("metricName") == CPU_METRIC and spec.get("target"):
            return int(spec["target"])
    return DEFAULT_TARGET


class LoadMeter:
    """Requests in flight, integrated over time (request-seconds)."""

    def __init__(self, clock: Any = time.monotonic) -> None:
        self._clock = clock
        self.in_flight = 0
        self._busy = 0.0
        self._since = clock()

    def _advance(self) -> float:
        now: float = self._clock()
        self._busy += self.in_flight * (now - self._since)
        self._since = now
        return now

    def begin(self) -> None:
        self._advance()
        self.in_flight += 1

    def end(self) -> None:
        self._advance()
        self.in_flight -= 1

    def read(self) -> tuple[float, float]:
        """(now, request-seconds so far)."""
        now = self._advance()
        return now, self._busy


class Autoscaler:
    """Decides a deployed model's replica count from the load of each window."""

    def __init__(self, scale_in_delay: float) -> None:
        self.scale_in_delay = scale_in_delay
        self._low_since: float | None = None

    def decide(
        self, scaling: Scaling, current: int, busy: float, seconds: float, now: float
    ) -> tuple[int, float]:
        """(replicas wanted now, utilization in percent) after a window of ``seconds`` in which
        ``current`` replicas were ``busy`` request-seconds."""
        utilization = 100.0 * busy / (seconds * max(current, 1)) if seconds > 0 else 0.0
        # the epsilon keeps a load exactly at the target from asking one more replica
        wanted = scaling.clamp(math.ceil(max(current, 1) * utilization / scaling.target - 1e-9))
        if wanted > current or current < scaling.min_replicas:
            self._low_since = None
            return scaling.clamp(max(wanted, current)), utilization
        if wanted == current:
            self._low_since = None
            return current, utilization
        if self._low_since is None:
            self._low_since = now
        if now - self._low_since < self.scale_in_delay:
            return current, utilization
        self._low_since = None
        return wanted, utilization
