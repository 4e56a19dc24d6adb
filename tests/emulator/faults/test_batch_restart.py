"""Fault injection for batch prediction: SIGKILL (or stop) the embedded Vertex while a batch
job runs, start it again on the same data dir: the job is FAILED with the restart's reason
(it is not resumed), its model servers are gone, and a new job on the same input succeeds."""

from __future__ import annotations

import io
import json
from pathlib import Path

import joblib
import numpy as np
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression

from jupyter_vertex.emulator.batch.records import RESTART_REASON
from jupyter_vertex.emulator.testing import EmulatorProcess, model_servers

from ..batch_helpers import bucket, create, job_body, put, wait_done, wait_state
from ..emulator_api import IMAGE, Api
from ..serving_helpers import artifacts


def test_a_running_batch_job_fails_after_a_kill_and_restart(tmp_path: Path) -> None:
    features, target = load_digits(return_X_y=True)
    classifier = LogisticRegression(max_iter=200).fit(features[:500], target[:500])
    data = io.BytesIO()
    joblib.dump(classifier, data)
    with EmulatorProcess(tmp_path / "data") as emu:
        api = Api(emu, "batch-faults")
        folder = artifacts(api, {"model.joblib": data.getvalue()})
        model = api.upload("digits", artifactUri=folder, containerSpec={"imageUri": IMAGE})
        b = bucket(api)
        rows = np.tile(features[:100], (50, 1)).tolist()
        source = put(api, b, "in.jsonl", "".join(json.dumps(r) + "\n" for r in rows))
        body = job_body(
            model["name"], source, f"gs://{b}/out", manualBatchTuningParameters={"batchSize": 1}
        )
        job = create(api, body)
        deployed_id = f"batch-{job['name'].rsplit('/', 1)[1]}"
        wait_state(api, job["name"], {"JOB_STATE_RUNNING"})
        assert len(model_servers(deployed_id)) == 2
        emu.kill()
        emu.start()
        failed = api.ok("GET", f"v1/{job['name']}")
        assert failed["state"] == "JOB_STATE_FAILED"
        assert failed["error"] == {"code": 13, "message": RESTART_REASON}
        assert model_servers(deployed_id) == {}
        again = wait_done(api, create(api, {**body, "dedicatedResources": None})["name"])
        assert again["state"] == "JOB_STATE_SUCCEEDED", again.get("error")
        assert again["completionStats"] == {"successfulCount": str(len(rows))}

        # a graceful stop (SIGTERM) ends a running job the same way, not as CANCELLED
        stopped = create(api, body)
        wait_state(api, stopped["name"], {"JOB_STATE_RUNNING"})
        emu.stop()
        emu.start()
        stopped = api.ok("GET", f"v1/{stopped['name']}")
        assert stopped["state"] == "JOB_STATE_FAILED"
        assert stopped["error"] == {"code": 13, "message": RESTART_REASON}
        assert model_servers(f"batch-{stopped['name'].rsplit('/', 1)[1]}") == {}
