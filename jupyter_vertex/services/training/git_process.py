"""Run git for the training services: no shell, no prompt, no optional locks, a time limit."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path


async def run_git(git: str, folder: Path, *args: str, timeout: float) -> tuple[int, str, str]:
    """``git -C folder args…``: its status, stdout and stderr (stripped).

    Raises TimeoutError (after killing git) when it takes longer than ``timeout`` seconds.
    """
    env = {**os.environ, "LC_ALL": "C", "GIT_OPTIONAL_LOCKS": "0", "GIT_TERMINAL_PROMPT": "0"}
    proc = await asyncio.create_subprocess_exec(
        git,
        "-C",
        str(folder),
        *args,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=env,
    )
    try:
        out, err = await asyncio.wait_for(proc.communicate(), timeout)
    except TimeoutError:
        proc.kill()
        await proc.wait()
        raise
    return proc.returncode or 0, _text(out), _text(err)


def _text(data: bytes | None) -> str:
    return (data or b"").decode("utf-8", "replace").strip()
