"""The training runner: a bounded queue of CustomJobs, run as local processes.

At most ``max_concurrent`` jobs run at once; the rest stay QUEUED (oldest first). Running a
job: PENDING while its gs:// packages are copied into ``DATA_DIR/jobs/ID/packages`` and
each replica's steps are written, then RUNNING, then one replica wrapper
(:mod:`.replica_process`) per replica, each in its own session (process group): RUNNING
comes first so that no log line is older than the state saying the job runs. Replicas whose
``machineSpec`` asks for accelerators get the machine's GPUs (:mod:`..core.gpus`). The
runner follows replicas only through their files (``replica.json``, ``exit.json``) and
process ids, never through pipes, so after a restart of the embedded Vertex it follows the
replicas a previous process started (polled); jobs whose processes are gone without an exit
status are FAILED with a reason. A wrapper this process started wakes its follower as it
exits, and a job's endTime is when its replicas ended (exit.json), however late that is
noticed. Cancel sends SIGTERM to every replica's process group, then SIGKILL after a grace
period, and removes the job's containers (:mod:`.containers`). A backing job of a
TrainingPipeline reports each state change to its pipeline in the same transaction.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import signal
import sys
import tarfile
import zipfile
from pathlib import Path
from typing import Any, Protocol

from ..core.errors import ApiError
from ..core.gpus import GpuPool, cpu_notice
from ..core.process_groups import group_alive
from ..core.store import Store, Tx
from ..storage.local_storage import LocalStorage, split_gs_uri
from . import replica_process
from .containers import docker_steps, docker_unavailable, remove_containers
from .job_records import (
    ACTIVE,
    CANCELLED,
    CANCELLED_ERROR,
    CANCELLING,
    FAILED,
    KIND,
    PENDING,
    QUEUED,
    RUNNING,
    SUCCEEDED,
    TERMINAL,
    render,
    request_cancel,
    set_state,
)
from .relay import relay_spec
from .replica_env import connection_env, replica_env
from .replica_files import (
    ReplicaStatus,
    held_gpus,
    job_id,
    process_alive,
    signal_groups,
    tail,
    wrapper_tail,
    write_meta,
    write_steps,
)
from .workerpool import (
    Interpreters,
    Pool,
    cluster,
    contract_env,
    parse_pools,
    python_steps,
    unpack_packages,
)

log = logging.getLogger(__name__)

REPLICA_MODULE = "jupyter_vertex.emulator.training.replica_process"
FAILED_CODE = 3  # Vertex answers user code failures with INVALID_ARGUMENT's rpc code


class JobFollower(Protocol):
    """What follows the runner's jobs (a TrainingPipeline mirrors its backing job)."""

    def job_changed(self, tx: Tx, job: dict[str, Any]) -> None:
        """A job's state changed (called in the same transaction)."""

    async def job_succeeded(self, job: dict[str, Any]) -> None:
        """A job has just SUCCEEDED (after its transaction)."""

    async def resume(self) -> None:
        """At start-up: finish what a previous process left undone."""


class Runner:
    def __init__(
        self,
        store: Store,
        storage: LocalStorage | None,
        jobs_dir: Path,
        interpreters: Interpreters,
        *,
        max_concurrent: int = 2,
        cancel_grace: float = 5.0,
        poll_interval: float = 0.2,
        follower: JobFollower | None = None,
        addresses: Path | None = None,
        gpus: GpuPool | None = None,
    ) -> None:
        self.follower = follower
        # the machine's GPUs, handed to replicas whose machine_spec asks for accelerators
        self.gpus = gpus if gpus is not None else GpuPool()
        # the data dir's addresses.json: replicas relay to the address it holds (see
        # relay.py), so a job outliving a restart on other ports still reaches us
        self.addresses = addresses
        self.emulator_url = ""  # the API's address, once it listens
        self.store = store
        self.storage = storage
        self.jobs_dir = Path(jobs_dir)
        self.interpreters = interpreters
        self.max_concurrent = max(1, max_concurrent)
        self.cancel_grace = cancel_grace
        self.poll_interval = poll_interval
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._wakeups: dict[str, asyncio.Event] = {}
        self._children: dict[str, asyncio.subprocess.Process] = {}
        self._reapers: set[asyncio.Task[Any]] = set()
        self._kicking: asyncio.Task[None] | None = None
        self._kick_again = False
        self._closed = False

    # lifecycle ---------------------------------------------------------------------------

    async def start(self) -> None:
        """Follow again what a previous process left running; requeue what it had not
        started; finish pipelines whose backing job succeeded; then schedule."""
        self.jobs_dir.mkdir(parents=True, exist_ok=True)
        active = await self.store.read(
            lambda tx: [j for j in tx.all_of_kind(KIND) if j.get("state") in ACTIVE]
        )
        for job in active:
            launched = await asyncio.to_thread(self._launched, job["name"])
            if launched:
                # the GPUs a previous process gave its replicas stay theirs
                held = await asyncio.to_thread(held_gpus, self.jobs_dir / job_id(job["name"]))
                for task, indexes in held.items():
                    self.gpus.hold(f"{job_id(job['name'])}/{task}", indexes)
                self._spawn_task(job["name"], self._follow(job["name"]))
            elif job["state"] == CANCELLING:
                await self._transition(job["name"], CANCELLED, CANCELLED_ERROR)
            else:
                await self._transition(job["name"], QUEUED)
        if self.follower is not None:
            await self.follower.resume()
        self.kick()

    async def close(self) -> None:
        """Stop following; replicas keep running and are followed by the next start."""
        self._closed = True
        tasks = list(self._tasks.values()) + list(self._reapers)
        if self._kicking is not None:
            tasks.append(self._kicking)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    def _launched(self, name: str) -> bool:
        folder = self.jobs_dir / job_id(name) / "replicas"
        return folder.is_dir() and any(folder.iterdir())

    # scheduling --------------------------------------------------------------------------

    def kick(self) -> None:
        """Start queued jobs while slots are free (coalesces concurrent calls)."""
        if self._closed:
            return
        if self._kicking is not None and not self._kicking.done():
            self._kick_again = True
            return
        self._kicking = asyncio.ensure_future(self._schedule())

    async def _schedule(self) -> None:
        while True:
            self._kick_again = False
            free = self.max_concurrent - len(self._tasks)
            if free > 0:
                queued = await self.store.read(
                    lambda tx: sorted(
                        (j for j in tx.all_of_kind(KIND) if j.get("state") == QUEUED),
                        key=lambda j: (j["createTime"], j["name"]),
                    )
                )
                for job in queued[:free]:
                    if await self._transition(job["name"], PENDING, only_from=QUEUED):
                        self._spawn_task(job["name"], self._run(job["name"]))
            if not self._kick_again:
                return

    def _spawn_task(self, name: str, work: Any) -> None:
        self._wakeups[name] = asyncio.Event()
        task = asyncio.ensure_future(work)
        self._tasks[name] = task

        def done(finished: asyncio.Task[None]) -> None:
            self._tasks.pop(name, None)
            self.gpus.release_job(job_id(name))
            self._wakeups.pop(name, None)
            if not finished.cancelled() and finished.exception() is not None:
                log.error("job %s: runner failed", name, exc_info=finished.exception())
            self.kick()

        task.add_done_callback(done)

    # state changes -----------------------------------------------------------------------

    async def _transition(
        self,
        name: str,
        state: str,
        error: dict[str, Any] | None = None,
        *,
        only_from: str | None = None,
        when: str = "",
    ) -> dict[str, Any] | None:
        """``when``: the moment it happened, if not now (a job ends when its replicas did)."""

        def write(tx: Tx) -> dict[str, Any] | None:
            job = tx.get(name, KIND)
            if job is None or job.get("state") in TERMINAL:
                return None
            if only_from is not None and job.get("state") != only_from:
                return None
            if state == RUNNING and job.get("state") == CANCELLING:
                return job  # a cancel came in while starting: stay CANCELLING
            set_state(job, state, when or tx.now, error)
            tx.update(name, job)
            if self.follower is not None:
                self.follower.job_changed(tx, job)
            return job

        job = await self.store.write(write)
        if job is not None and job.get("state") == SUCCEEDED and self.follower is not None:
            await self.follower.job_succeeded(job)
        return job

    async def cancel(self, name: str) -> None:
        """CancelCustomJob: QUEUED ends at once; a running job is stopped by its follower."""
        job = await self.store.write(lambda tx: request_cancel(tx, name))
        follower = self.follower
        if job.get("_pipeline") and follower is not None:
            await self.store.write(lambda tx: follower.job_changed(tx, job))
        self._wake(name)

    # running -----------------------------------------------------------------------------

    async def _run(self, name: str) -> None:
        job = await self.store.read(lambda tx: tx.get(name, KIND))
        if job is None:
            return
        try:
            prepared = await self._launch(job)
        except ApiError as error:
            await self._transition(name, FAILED, {"code": FAILED_CODE, "message": error.message})
            return
        except Exception as error:  # never leave a job PENDING because of a bug or a disk
            log.exception("job %s could not be started", name)
            message = f"The embedded Vertex could not start the job: {error}"
            await self._transition(name, FAILED, {"code": 13, "message": message})
            return
        # RUNNING before any replica process exists, so no log line is ever older than
        # the state that says the job runs
        await self._transition(name, RUNNING)
        try:
            for rdir in prepared:
                await self._start_replica(name, rdir)
        except OSError as error:
            log.exception("job %s: a replica could not be started", name)
            message = f"The embedded Vertex could not start the job's replicas: {error}"
            await self._terminate(await asyncio.to_thread(self._statuses, name))
            await self._transition(name, FAILED, {"code": 13, "message": message})
            return
        await self._follow(name)

    async def _launch(self, job: dict[str, Any]) -> list[Path]:
        """Fetch, unpack and write every replica's steps; answer their folders to start."""
        name = job["name"]
        spec = job.get("jobSpec") or {}
        where = "custom_job.job_spec.worker_pool_specs"
        pools = parse_pools(spec.get("workerPoolSpecs"), where, self.interpreters)
        if any(pool.kind == "container" for pool in pools):
            reason = await docker_unavailable()
            if reason:
                raise ApiError(
                    "FAILED_PRECONDITION",
                    "This job has a container_spec, which the embedded Vertex runs through "
                    f"Docker, and no Docker engine answers on this machine ({reason}). Use a "
                    "python_package_spec with a prebuilt training image, or start Docker.",
                )
        folder = self.jobs_dir / job_id(name)
        parts = name.split("/")
        meta = {"name": name, "projectId": job.get("_projectId", parts[1]), "project": parts[1]}
        await asyncio.to_thread(write_meta, folder, meta)
        packages = {pool.index: await self._fetch_packages(folder, pool) for pool in pools}
        paths: dict[int, list[str]] = {}
        for pool in pools:
            if pool.kind == "python":
                try:
                    paths[pool.index] = await asyncio.to_thread(
                        unpack_packages,
                        packages[pool.index],
                        folder / "python" / f"pool{pool.index}",
                    )
                except (OSError, ValueError, tarfile.TarError, zipfile.BadZipFile) as error:
                    raise ApiError(
                        "INVALID_ARGUMENT",
                        f"The package of worker pool {pool.index} could not be unpacked: {error}",
                    ) from None
        layout = cluster(pools)
        base = str((spec.get("baseOutputDirectory") or {}).get("outputUriPrefix", ""))
        public_spec = render(job).get("jobSpec", {})
        token = self.storage.token if self.storage else ""  # the embedded Vertex's token
        connection = connection_env(self.emulator_url, token, meta["projectId"], parts[3])
        prepared: list[Path] = []
        for pool in pools:
            for index in range(pool.replicas):
                task = f"{pool.task_type}-{index}"
                contract = contract_env(
                    pools=pools,
                    layout=layout,
                    pool=pool,
                    replica=index,
                    project_id=meta["projectId"],
                    region=parts[3],
                    job_id=job_id(name),
                    base_output=base,
                    storage_url=self.storage.url if self.storage else "",
                    job_spec=public_spec,
                )
                rdir = folder / "replicas" / task
                gpus = self.gpus.acquire(f"{job_id(name)}/{task}", pool.accelerator_count)
                contract.update(self.gpus.env(gpus))
                notice = cpu_notice(pool.accelerator, pool.accelerator_count, self.gpus, gpus)
                contract.update(connection)
                # a minimal environment: none of this process's own secrets (replica_env)
                env = replica_env(os.environ, pool.env, contract, paths.get(pool.index))
                if pool.kind == "python":
                    steps = python_steps(pool)
                else:
                    steps = docker_steps(pool, {**pool.env, **contract}, job_id(name), task)
                await asyncio.to_thread(
                    write_steps, rdir, steps, env, self._relays(env, token), notice
                )
                prepared.append(rdir)
        return prepared

    def _relays(self, env: dict[str, str], token: str) -> dict[str, Any] | None:
        """What the replica's wrapper relays (see relay.py)."""
        if self.addresses is None:
            return None
        return relay_spec(self.addresses, env, self.emulator_url, token)

    async def _fetch_packages(self, folder: Path, pool: Pool) -> list[str]:
        paths = []
        for position, uri in enumerate(pool.package_uris):
            if not uri.startswith("gs://"):
                paths.append(uri)
                continue
            bucket, object_name = split_gs_uri(uri, "package_uris")
            target = (
                folder
                / "packages"
                / f"pool{pool.index}"
                / str(position)
                / object_name.rsplit("/", 1)[-1]
            )
            if self.storage is None or not await self.storage.download(bucket, object_name, target):
                raise ApiError("INVALID_ARGUMENT", f"Package {uri} could not be read from storage.")
            paths.append(str(target))
        return paths

    async def _start_replica(self, name: str, rdir: Path) -> None:
        out = await asyncio.to_thread(open, rdir / "wrapper.log", "ab")
        try:
            process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                REPLICA_MODULE,
                str(rdir),
                stdin=asyncio.subprocess.DEVNULL,
                stdout=out,
                stderr=out,
                start_new_session=True,
            )
        finally:
            out.close()
        self._children[str(rdir)] = process
        reaper = asyncio.ensure_future(process.wait())
        self._reapers.add(reaper)
        reaper.add_done_callback(self._reapers.discard)
        # the wrapper exits right after writing its exit status: follow up at once, so the
        # job ends the moment its last replica does (the poll is for a previous process's)
        reaper.add_done_callback(lambda _: self._wake(name))

    def _wake(self, name: str) -> None:
        wakeup = self._wakeups.get(name)
        if wakeup is not None:
            wakeup.set()

    # following ---------------------------------------------------------------------------

    def _statuses(self, name: str) -> list[ReplicaStatus]:
        folder = self.jobs_dir / job_id(name) / "replicas"
        result = []
        for rdir in sorted(folder.iterdir()) if folder.is_dir() else []:
            exit_code = pid = None
            end_time = ""
            try:
                ended = json.loads((rdir / replica_process.EXIT).read_text())
                exit_code, end_time = int(ended["exitCode"]), str(ended.get("endTime") or "")
            except (OSError, ValueError, KeyError, TypeError):
                pass
            child = self._children.get(str(rdir))
            if child is not None:  # ours: asyncio knows whether it ended (no /proc race)
                pid, alive = child.pid, child.returncode is None
            else:  # a previous process's: its pid file and /proc
                try:
                    pid = int(json.loads((rdir / replica_process.PID).read_text())["pid"])
                except (OSError, ValueError, KeyError):
                    pid = None
                alive = pid is not None and process_alive(pid, str(rdir))
            result.append(ReplicaStatus(rdir.name, rdir, exit_code, pid, alive, end_time))
        return result

    async def _follow(self, name: str) -> None:
        wakeup = self._wakeups.setdefault(name, asyncio.Event())
        while True:
            job = await self.store.read(lambda tx: tx.get(name, KIND))
            if job is None or job.get("state") in TERMINAL:
                return
            statuses = await asyncio.to_thread(self._statuses, name)
            if job.get("state") == CANCELLING:
                await self._terminate(statuses)
                await self._transition(name, CANCELLED, CANCELLED_ERROR)
                return
            failed = next((s for s in statuses if s.exit_code not in (None, 0)), None)
            gone = next((s for s in statuses if s.exit_code is None and not s.alive), None)
            if failed is not None:
                await self._terminate(statuses)
                lines = await asyncio.to_thread(tail, failed.folder)
                message = (
                    f"The replica {failed.task} exited with a non-zero status of "
                    f"{failed.exit_code}. Termination reason: Error."
                )
                if lines:
                    message += " Last log lines:\n" + "\n".join(lines)
                error = {"code": FAILED_CODE, "message": message}
                await self._transition(name, FAILED, error, when=failed.end_time)
                return
            if gone is not None:
                await self._terminate(statuses)
                message = (
                    f"The replica {gone.task} ended without an exit status: its process is "
                    "gone (it was killed, or the machine restarted, while the embedded Vertex "
                    "was not following it)."
                )
                crash = await asyncio.to_thread(wrapper_tail, gone.folder)
                if crash:
                    message += " Its wrapper said:\n" + crash
                await self._transition(name, FAILED, {"code": 13, "message": message})
                return
            if statuses and all(s.exit_code == 0 for s in statuses):
                # endTime: when the last replica ended, however late it is noticed (after a
                # restart of the embedded Vertex, say)
                await self._transition(name, SUCCEEDED, when=max(s.end_time for s in statuses))
                return
            try:
                await asyncio.wait_for(wakeup.wait(), self.poll_interval)
            except asyncio.TimeoutError:
                pass
            wakeup.clear()

    async def _terminate(self, statuses: list[ReplicaStatus]) -> None:
        """SIGTERM every replica's process group, SIGKILL what is left after the grace, then
        remove the replicas' containers (a killed ``docker run`` client leaves its own)."""
        groups = [s.pid for s in statuses if s.pid is not None]
        if groups:
            signal_groups(groups, signal.SIGTERM)
            loop = asyncio.get_running_loop()
            deadline = loop.time() + self.cancel_grace
            while await asyncio.to_thread(lambda: any(group_alive(g) for g in groups)):
                if loop.time() >= deadline:
                    signal_groups(groups, signal.SIGKILL)
                    break
                await asyncio.sleep(0.1)
        await remove_containers([s.folder for s in statuses])
