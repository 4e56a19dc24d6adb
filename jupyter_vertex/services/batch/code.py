"""Python a user writes for what the batch API does: ``Model.batch_predict(...)`` as in the
SDK's docs, and a notebook cell that loads a job's predictions into a pandas DataFrame.

Values are written with ``repr`` so the code is valid Python whatever they hold.
"""

from __future__ import annotations

__all__ = ["batch_code", "dataframe_cell"]


def _call(callee: str, kwargs: list[tuple[str, str]]) -> str:
    lines = [f"{callee}("]
    lines += [f"    {key}={value}," for key, value in kwargs]
    lines.append(")")
    return "\n".join(lines)


def batch_code(
    *,
    model: str,
    display_name: str,
    sources: list[str],
    instances_format: str,
    predictions_format: str,
    destination: str,
    machine_type: str,
    starting_replica_count: int,
    max_replica_count: int,
    batch_size: int | None,
    project: str,
    region: str,
) -> str:
    """``model.batch_predict(...)`` creating the job the API created (``model``: its name)."""
    text = (
        "from google.cloud import aiplatform\n\n"
        f"aiplatform.init(project={project!r}, location={region!r})\n"
        "# On the embedded Vertex instead: import jupyter_vertex.emulator; "
        "jupyter_vertex.emulator.init()\n\n"
        f"model = aiplatform.Model({model!r})\n"
    )
    source = sources[0] if len(sources) == 1 else sources
    kwargs = [
        ("job_display_name", repr(display_name)),
        ("gcs_source", repr(source)),
        ("instances_format", repr(instances_format)),
        ("gcs_destination_prefix", repr(destination)),
        ("predictions_format", repr(predictions_format)),
        ("machine_type", repr(machine_type)),
        ("starting_replica_count", repr(starting_replica_count)),
        ("max_replica_count", repr(max_replica_count)),
    ]
    if batch_size is not None:
        kwargs.append(("batch_size", repr(batch_size)))
    kwargs.append(("sync", "False"))
    return (
        text
        + "job = "
        + _call("model.batch_predict", kwargs)
        + "\njob.wait()  # or follow it: job.state, job.completion_stats\n"
        + "print(job.output_info.gcs_output_directory)\n"
    )


def dataframe_cell(directory: str, predictions_format: str, *, project: str, setup: str) -> str:
    """A cell that reads every ``predictions_*`` file of ``directory`` (in order) with the
    Cloud Storage client into one DataFrame. ``setup`` is what the kernel runs first to reach
    the backend's Cloud Storage (the client factory's :meth:`kernel_setup`)."""
    read = (
        "pd.read_json(handle, lines=True)"
        if predictions_format == "jsonl"
        else "pd.read_csv(handle)"
    )
    return (
        "import pandas as pd\n"
        "from google.cloud import storage\n\n"
        + setup
        + f"directory = {directory!r}\n"
        + 'bucket, _, prefix = directory.removeprefix("gs://").partition("/")\n'
        + f"client = storage.Client(project={project!r})\n"
        + "blobs = sorted(\n"
        + '    client.list_blobs(bucket, prefix=prefix + "/predictions_"), key=lambda b: b.name\n'
        + ")\n"
        + "frames = []\n"
        + "for blob in blobs:\n"
        + '    with blob.open("r") as handle:\n'
        + f"        frames.append({read})\n"
        + "predictions = pd.concat(frames, ignore_index=True)\n"
        + "predictions\n"
    )
