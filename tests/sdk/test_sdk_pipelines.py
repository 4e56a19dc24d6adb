"""Vertex AI Pipelines through the real, unchanged SDK: pipelines compiled with kfp, run with
``aiplatform.PipelineJob(...).submit()`` then ``wait()`` by KFP's own local runner inside
the embedded Vertex; task details, artifacts in local Cloud Storage, list, a failing
component, caching, a condition and a ParallelFor, cancel leaving no process, bad input;
schedules: ``PipelineJob.create_schedule(cron="* * * * *")`` made when the module starts
creates a real run on the next minute tick, checked by the module's last test (the wait
overlaps the other tests)."""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pipeline_defs
import pytest
from google.api_core import exceptions
from google.cloud import aiplatform, storage
from google.cloud.aiplatform import pipeline_jobs as sdk_pipeline_jobs
from kfp import compiler
from sdk_helpers import LOCATION, Sdk, error_message

from jupyter_vertex.emulator.core.connection import EmulatorConnection
from jupyter_vertex.emulator.pipelines.engine import PIPELINE_JOB_ENV
from jupyter_vertex.emulator.testing import EmulatorProcess


@pytest.fixture(autouse=True)
def _quick_polls(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sdk_pipeline_jobs, "_JOB_WAIT_TIME", 0.2)


@pytest.fixture(scope="module")
def compiled(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], str]:
    folder = tmp_path_factory.mktemp("pipelines")

    def compile_one(name: str) -> str:
        path = folder / f"{name}.yaml"
        if not path.exists():
            compiler.Compiler().compile(getattr(pipeline_defs, name), str(path))
        return str(path)

    return compile_one


@pytest.fixture(scope="module", autouse=True)
def minute_schedule(
    emulator: EmulatorProcess, compiled: Callable[[str], str]
) -> Iterator[tuple[str, str]]:
    """(project, schedule name): a schedule of the smallest pipeline on every minute, at
    most one run, made before the module's first test; its last test checks the run."""
    import jupyter_vertex.emulator as vertex

    project = f"sched-{uuid.uuid4().hex[:10]}"
    connection = EmulatorConnection(
        url=emulator.url, token=emulator.token, storage_url=emulator.storage_url
    )
    with pytest.MonkeyPatch.context() as patch:
        for key, value in connection.to_env().items():
            patch.setenv(key, value)
        patch.setenv("STORAGE_EMULATOR_HOST", emulator.storage_url)
        vertex.init(project=project, location=LOCATION)
        from google.cloud.aiplatform import initializer

        job = aiplatform.PipelineJob(
            display_name="every-minute",
            template_path=compiled("sleeping"),
            pipeline_root=f"{initializer.global_config.staging_bucket}/pipeline-root",
            parameter_values={"seconds": 0.0},
        )
        schedule = job.create_schedule(
            cron="* * * * *", display_name="every-minute", max_run_count=1
        )
        yield project, schedule.resource_name


def _job(sdk: Sdk, template: str, values: dict[str, Any], **kwargs: Any) -> Any:
    unique = uuid.uuid4().hex[:8]
    return aiplatform.PipelineJob(
        display_name=f"p-{unique}",
        job_id=f"run-{unique}",  # the SDK's default (name + time in seconds) may repeat
        template_path=template,
        pipeline_root=f"{sdk.staging_bucket}/pipeline-root",
        parameter_values=values,
        **kwargs,
    )


def _tasks(job: Any) -> dict[str, list[Any]]:
    found: dict[str, list[Any]] = {}
    for task in job.task_details:
        found.setdefault(task.task_name, []).append(task)
    return found


def _output(task: Any, name: str = "Output") -> Any:
    return task.execution.metadata[f"output:{name}"]


def test_run_task_details_artifacts_and_list(sdk: Sdk, compiled: Callable[[str], str]) -> None:
    job = _job(sdk, compiled("arith"), {"a": 3})
    job.submit()
    job.wait()
    assert job.state.name == "PIPELINE_STATE_SUCCEEDED"
    tasks = _tasks(job)
    assert sorted(tasks) == ["add", "arith", "read-text", "write-text"]
    assert {name: found[0].state.name for name, found in tasks.items()} == dict.fromkeys(
        tasks, "SUCCEEDED"
    )
    add = tasks["add"][0]
    assert add.execution.metadata["input:a"] == 3
    assert add.execution.metadata["input:b"] == 2  # the default
    assert _output(add) == 5
    assert _output(tasks["read-text"][0]) == "HELLO"
    root = tasks["arith"][0]
    assert add.parent_task_id == root.task_id
    assert add.start_time and add.end_time >= add.start_time
    (artifact,) = tasks["write-text"][0].outputs["out"].artifacts
    assert artifact.schema_title == "system.Dataset"
    assert artifact.metadata["length"] == 5
    prefix = f"{sdk.staging_bucket}/pipeline-root/"
    assert artifact.uri.startswith(prefix)
    blob = storage.Blob.from_uri(artifact.uri, client=storage.Client(project=sdk.project))
    assert blob.download_as_text() == "hello"
    # the consumer got the same artifact as its input
    (consumed,) = tasks["read-text"][0].inputs["data"].artifacts
    assert consumed.uri == artifact.uri

    listed = aiplatform.PipelineJob.list(filter=f'display_name="{job.display_name}"')
    assert [j.resource_name for j in listed] == [job.resource_name]
    assert aiplatform.PipelineJob.list(filter='display_name="none-such"') == []
    by_pipeline = aiplatform.PipelineJob.list(filter='pipeline_name="arith"')
    assert [j.resource_name for j in by_pipeline] == [job.resource_name]
    assert aiplatform.PipelineJob.list(filter='state="PIPELINE_STATE_FAILED"') == []


def test_failing_component_fails_the_run_with_its_message(
    sdk: Sdk, compiled: Callable[[str], str]
) -> None:
    job = _job(sdk, compiled("failing"), {"reason": "the data is empty"})
    job.submit()
    with pytest.raises(RuntimeError, match="ValueError: the data is empty"):
        job.wait()
    assert job.state.name == "PIPELINE_STATE_FAILED"
    assert "[fail]" in job.gca_resource.error.message
    (task,) = _tasks(job)["fail"]
    assert task.state.name == "FAILED"
    assert task.error.message == "ValueError: the data is empty"
    job.delete()
    with pytest.raises(exceptions.NotFound):
        aiplatform.PipelineJob.get(job.resource_name)


def test_condition_parallel_for_and_caching(sdk: Sdk, compiled: Callable[[str], str]) -> None:
    runs = []
    for _ in range(2):
        job = _job(sdk, compiled("control"), {"flag": "no"}, enable_caching=True)
        job.submit()
        job.wait()
        assert job.state.name == "PIPELINE_STATE_SUCCEEDED"
        runs.append(_tasks(job))
    first, second = runs
    # If/Else: the Else branch ran, the If branch was not triggered
    assert first["condition-2"][0].state.name == "NOT_TRIGGERED"
    assert first["condition-3"][0].state.name == "SUCCEEDED"
    assert _output(first["add-2"][0]) == 4
    # ParallelFor over [1, 2, 3]: three iterations of square, each under its iteration
    iterations = {t.task_id: t.task_name for t in first["for-loop-5-iteration-0"]}
    iterations |= {t.task_id: t.task_name for t in first["for-loop-5-iteration-1"]}
    iterations |= {t.task_id: t.task_name for t in first["for-loop-5-iteration-2"]}
    squares = sorted((iterations[t.parent_task_id], _output(t)) for t in first["square"])
    assert squares == [
        ("for-loop-5-iteration-0", 1),
        ("for-loop-5-iteration-1", 4),
        ("for-loop-5-iteration-2", 9),
    ]
    assert {t.state.name for t in first["square"]} == {"SUCCEEDED"}
    # the second, identical run reuses every task's outputs: SKIPPED, its execution CACHED
    assert {(t.state.name, t.execution.state.name) for t in second["square"]} == {
        ("SKIPPED", "CACHED")
    }
    assert second["add-2"][0].execution.state.name == "CACHED"
    assert sorted(_output(t) for t in second["square"]) == [1, 4, 9]


def _task_processes(job_name: str) -> list[int]:
    """Processes on this machine started for a pipeline run: its driver and tasks (/proc)."""
    marker = f"{PIPELINE_JOB_ENV}={job_name}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            environ = (entry / "environ").read_bytes()
        except OSError:
            continue
        if marker in environ.split(b"\0"):
            found.append(int(entry.name))
    return found


def _until(condition: Callable[[], Any], what: str, timeout: float = 60.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def test_cancel_and_batch_cancel_stop_every_process(
    sdk: Sdk, compiled: Callable[[str], str]
) -> None:
    jobs = [_job(sdk, compiled("sleeping"), {"seconds": 300.0}) for _ in range(2)]
    for job in jobs:
        job.submit()

    def sleeping(job: Any) -> bool:
        tasks = _tasks(aiplatform.PipelineJob.get(job.resource_name))
        return bool(tasks.get("sleep")) and tasks["sleep"][0].state.name == "RUNNING"

    for job in jobs:
        _until(lambda job=job: sleeping(job), "the sleep task to run")  # type: ignore[misc]
        assert _task_processes(job.resource_name)  # the driver and the task's processes
    jobs[0].cancel()
    client = jobs[0].api_client
    client.batch_cancel_pipeline_jobs(parent=sdk.parent, names=[jobs[1].resource_name]).result()
    for job in jobs:
        job.wait()  # the SDK raises for FAILED only
        assert job.state.name == "PIPELINE_STATE_CANCELLED"
        assert _tasks(job)["sleep"][0].state.name == "CANCELLED"
        assert _task_processes(job.resource_name) == []
    # ended jobs can be deleted, together
    names = [job.resource_name for job in jobs]
    deleted = client.batch_delete_pipeline_jobs(parent=sdk.parent, names=names).result()
    assert sorted(j.name for j in deleted.pipeline_jobs) == sorted(names)
    with pytest.raises(exceptions.NotFound):
        aiplatform.PipelineJob.get(names[0])


def _cycle(resource: Any) -> None:
    tasks = resource.pipeline_spec["root"]["dag"]["tasks"]
    tasks["add"]["dependentTasks"] = ["read-text"]  # read-text runs after add


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda g: g.pipeline_spec.pop("root"), "is not a PipelineSpec: it has no root"),
        (
            lambda g: g.runtime_config.parameter_values.update({"c": 1}),
            "the pipeline has no parameter 'c'",
        ),
        (
            lambda g: g.runtime_config.parameter_values.update({"a": "three"}),
            "NUMBER_INTEGER parameter, so an integer; got 'three'",
        ),
        (
            lambda g: g.runtime_config.parameter_values.pop("a"),
            "missing the required parameter 'a'",
        ),
        (_cycle, "has a cycle: add -> read-text -> add"),
    ],
    ids=["not-a-spec", "unknown-parameter", "wrong-type", "missing-required", "cycle"],
)
def test_bad_input_is_refused(
    sdk: Sdk, compiled: Callable[[str], str], change: Callable[[Any], Any], message: str
) -> None:
    job = _job(sdk, compiled("arith"), {"a": 3})
    resource = job._gca_resource  # the request the SDK built, before it is sent
    change(resource)
    with pytest.raises(exceptions.BadRequest) as refused:
        job.api_client.create_pipeline_job(parent=sdk.parent, pipeline_job=resource)
    assert message in error_message(refused.value)
    assert aiplatform.PipelineJob.list(filter=f'display_name="{resource.display_name}"') == []


def test_nested_pipeline_and_exit_handler(sdk: Sdk, compiled: Callable[[str], str]) -> None:
    job = _job(sdk, compiled("outer"), {"x": 4})
    job.submit()
    job.wait()
    tasks = _tasks(job)
    assert _output(tasks["square"][0]) == 16  # inside the nested pipeline
    assert tasks["square"][0].parent_task_id == tasks["inner"][0].task_id
    assert _output(tasks["add"][0]) == 17
    assert tasks["report"][0].state.name == "SUCCEEDED"  # the exit task ran after the body


def test_container_component_fails_with_the_reason(
    sdk: Sdk, compiled: Callable[[str], str]
) -> None:
    job = _job(sdk, compiled("container"), {})
    job.submit()
    with pytest.raises(RuntimeError, match="Container components need a container engine"):
        job.wait()
    (task,) = _tasks(job)["echo"]
    assert task.state.name == "FAILED"
    assert "lightweight Python components only" in task.error.message


def _schedule_job(sdk: Sdk, compiled: Callable[[str], str]) -> Any:
    return _job(sdk, compiled("sleeping"), {"seconds": 0.0})


def test_schedules_api_and_bad_input(sdk: Sdk, compiled: Callable[[str], str]) -> None:
    job = _schedule_job(sdk, compiled)
    # once a year, in New York: nothing runs during the test
    schedule = job.create_schedule(
        cron="TZ=America/New_York 0 9 1 1 *", display_name="yearly", max_run_count=3
    )
    got = aiplatform.PipelineJobSchedule.get(schedule.resource_name)
    assert got.state.name == "ACTIVE"
    assert got.cron == "TZ=America/New_York 0 9 1 1 *"
    resource = got.gca_resource
    assert resource.next_run_time.hour == 14  # 09:00 in New York is 14:00 UTC in January
    assert (resource.next_run_time.month, resource.next_run_time.day) == (1, 1)
    assert (
        resource.create_pipeline_job_request.pipeline_job.pipeline_spec["pipelineInfo"]["name"]
        == "sleeping"
    )
    listed = aiplatform.PipelineJobSchedule.list(filter='display_name="yearly"')
    assert [s.resource_name for s in listed] == [schedule.resource_name]
    schedule.pause()
    paused = aiplatform.PipelineJobSchedule.get(schedule.resource_name)
    assert paused.state.name == "PAUSED"
    assert paused.gca_resource.last_pause_time
    with pytest.raises(exceptions.BadRequest, match="only an ACTIVE schedule can be paused"):
        schedule.pause()
    schedule.resume()
    assert aiplatform.PipelineJobSchedule.get(schedule.resource_name).state.name == "ACTIVE"
    schedule.update(display_name="yearly-2", max_run_count=5)
    updated = aiplatform.PipelineJobSchedule.get(schedule.resource_name)
    assert (updated.display_name, updated.max_run_count) == ("yearly-2", 5)
    assert schedule.list_jobs() == []
    schedule.delete()
    with pytest.raises(exceptions.NotFound):
        aiplatform.PipelineJobSchedule.get(schedule.resource_name)

    for change, message in [
        ({"cron": "61 * * * *"}, "'61 * * * *' is not a cron expression of five fields"),
        ({"cron": "TZ=Mars/Base 0 9 * * *"}, "'Mars/Base' is not a time zone"),
        ({"max_run_count": -1}, "schedule.max_run_count: -1 is negative"),
        ({"spec": None}, "pipeline_job.pipeline_spec is not a PipelineSpec: it has no root"),
    ]:
        bad = aiplatform.PipelineJobSchedule(pipeline_job=job, display_name="bad")
        body = bad._gca_resource  # the request the SDK builds, before it is sent
        body.cron = str(change.get("cron", "* * * * *"))
        body.max_concurrent_run_count = 1
        body.max_run_count = int(change.get("max_run_count", 0))
        if "spec" in change:
            body.create_pipeline_job_request.pipeline_job.pipeline_spec.pop("root")
        with pytest.raises(exceptions.BadRequest) as refused:
            bad.api_client.create_schedule(parent=sdk.parent, schedule=body)
        assert message in error_message(refused.value)
    assert aiplatform.PipelineJobSchedule.list(filter='display_name="bad"') == []


def test_the_minute_schedule_created_a_run(sdk: Sdk, minute_schedule: tuple[str, str]) -> None:
    """Last in the module: the schedule made at its start has had a minute tick by now (or
    gets it within the bound)."""
    project, name = minute_schedule
    aiplatform.init(project=project)

    def runs() -> list[Any]:
        return aiplatform.PipelineJob.list(filter=f"schedule_name={name}")

    (run,) = _until(runs, "the schedule's run", timeout=90.0)
    run.wait()
    assert run.state.name == "PIPELINE_STATE_SUCCEEDED"
    assert run.gca_resource.schedule_name == name
    schedule = aiplatform.PipelineJobSchedule.get(name)
    assert schedule.state.name == "COMPLETED"  # max_run_count=1
    resource = schedule.gca_resource
    assert resource.started_run_count == 1
    assert resource.last_scheduled_run_response.run_response == run.resource_name
    tick = resource.last_scheduled_run_response.scheduled_run_time
    assert (tick.second, tick.microsecond) == (0, 0)  # on a minute
    assert run.gca_resource.create_time >= tick
    assert [j.resource_name for j in schedule.list_jobs()] == [run.resource_name]
