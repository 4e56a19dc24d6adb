"""Stopping a child started in its own process group, with everything it started."""

from __future__ import annotations

import asyncio
import os
import signal


async def stop_group(process: asyncio.subprocess.Process, grace: float) -> None:
    """SIGTERM the process group, SIGKILL after ``grace`` seconds; wait for the exit."""
    if process.returncode is None:
        signal_group(process.pid, signal.SIGTERM)
        try:
            await asyncio.wait_for(process.wait(), grace)
        except asyncio.TimeoutError:
            signal_group(process.pid, signal.SIGKILL)
            await process.wait()
    signal_group(process.pid, signal.SIGKILL)  # anything left in its group


def signal_group(pid: int, signum: int) -> None:
    """Signal the group led by ``pid``; a group already gone is fine."""
    try:
        os.killpg(pid, signum)
    except (ProcessLookupError, PermissionError):
        pass
