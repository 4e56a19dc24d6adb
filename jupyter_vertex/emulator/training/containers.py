"""Container replicas (a pool's ``containerSpec``) through a local Docker engine.

The engine is the one the ``docker`` command reaches: ``DOCKER_HOST`` (or Docker's context)
of the embedded Vertex's environment, which replicas inherit (:mod:`.replica_env`). Network
rule, strict: every container runs with ``--network host``, so it reaches the embedded
Vertex and local Cloud Storage on 127.0.0.1 and never sits on a bridge. Each container is
named ``vertex-JOB-TASK`` and labelled with its job and task (``LABEL_JOB``, ``LABEL_TASK``),
runs under Docker's init (``--init``: the SIGTERM of a cancel reaches the program even as
PID 1) and is removed when it ends (``--rm``); a cancel or a failed sibling also removes the
job's containers by name (:func:`remove_containers`), so none outlives its job even when
the program ignores SIGTERM and the ``docker run`` client is killed.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from . import replica_process
from .workerpool import Pool

LABEL_JOB = "jupyter-vertex.job"
LABEL_TASK = "jupyter-vertex.task"
REMOVE_TIMEOUT_S = 30.0


def container_name(job: str, task: str) -> str:
    return f"vertex-{job}-{task}"


def docker_steps(pool: Pool, env: dict[str, str], job: str, task: str) -> list[list[str]]:
    name = container_name(job, task)
    argv = ["docker", "run", "--rm", "--init", "--name", name, "--network", "host"]
    argv += ["--label", f"{LABEL_JOB}={job}", "--label", f"{LABEL_TASK}={task}"]
    for key in env:
        # the value comes from docker's own environment (the replica's), where the wrapper
        # may have pointed the emulator's addresses at its relays; and stays off the argv
        argv += ["--env", key]
    if pool.command:
        argv += ["--entrypoint", pool.command[0]]
    argv.append(pool.image)
    argv += pool.command[1:] + pool.args
    return [argv]


def container_names(folders: list[Path]) -> list[str]:
    """The containers the replicas in these folders run (their steps' ``--name``)."""
    names = []
    for folder in folders:
        try:
            spec = json.loads((folder / replica_process.STEPS).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        for argv in spec.get("steps") or []:
            if argv[:2] == ["docker", "run"] and "--name" in argv:
                names.append(str(argv[argv.index("--name") + 1]))
    return names


async def remove_containers(folders: list[Path]) -> None:
    """``docker rm -f`` the containers of these replicas (those already gone are fine)."""
    names = await asyncio.to_thread(container_names, folders)
    if not names:
        return
    try:
        process = await asyncio.create_subprocess_exec(
            "docker",
            "rm",
            "-f",
            *names,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
        )
    except OSError:
        return
    try:
        await asyncio.wait_for(process.wait(), REMOVE_TIMEOUT_S)
    except asyncio.TimeoutError:
        process.kill()
        await process.wait()


async def docker_unavailable() -> str:
    """Why no Docker engine can run containers here ("" when one answers)."""
    try:
        process = await asyncio.create_subprocess_exec(
            "docker",
            "version",
            "--format",
            "{{.Server.Version}}",
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
    except OSError:
        return "no docker command found"
    try:
        out, err = await asyncio.wait_for(process.communicate(), 15)
    except asyncio.TimeoutError:
        process.kill()
        await process.wait()
        return "docker version did not answer within 15 s"
    if process.returncode == 0 and out.strip():
        return ""
    lines = [line for line in err.decode("utf-8", "replace").splitlines() if line.strip()]
    return f"docker version: {lines[-1].strip() if lines else 'no server answered'}"
