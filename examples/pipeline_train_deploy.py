"""A Kubeflow pipeline that trains a digits classifier and deploys it only when it is better.

    train ──► evaluate ──┐
                         ├─► if accuracy > deployed accuracy: deploy
    deployed-accuracy ───┘

1. ``train``: a scikit-learn LogisticRegression (after StandardScaler) on the digits data
   set. ``train_fraction`` (the share of the training split used) or a small ``max_iter``
   make a worse model on purpose.
2. ``evaluate``: its accuracy on the held-out test split (the same split every run).
3. ``deployed-accuracy``: the accuracy of the model already deployed on the endpoint named
   ``endpoint_name`` (0.0 when there is no such endpoint or nothing is deployed there).
4. ``deploy`` (inside ``dsl.If``): upload the model with the prebuilt scikit-learn serving
   image, deploy it to the endpoint (created when missing) and undeploy the model it replaces.
   When the new model is not better, this task is NOT_TRIGGERED and the endpoint is untouched.

Where the accuracy is kept: as a label ``accuracy`` of the uploaded Model (``0_9722`` for
0.9722: label values cannot hold a dot). The next run reads it back with one call
(``aiplatform.Model(deployed.model).labels``) and it stays with the model in the Model
Registry, visible in the Console and the panel, even once the pipeline's files are gone.

Run it on the embedded Vertex with plain SDK code (this file's ``main``), or from
JupyterLab: right-click this file → "Run as Pipeline".

    python pipeline_train_deploy.py                          # first run: deploys
    python pipeline_train_deploy.py --train-fraction 0.05    # a worse model: not deployed

For Google Cloud instead, replace ``jupyter_vertex.emulator.init()`` in ``main`` with
``aiplatform.init(project=..., location=..., staging_bucket=...)`` and set ``IMAGE`` to an
image that has kfp, scikit-learn and google-cloud-aiplatform installed.
"""

import argparse
import logging

from kfp import dsl

#: The image of every task on Vertex AI Pipelines. The embedded Vertex runs tasks as local
#: processes with its own Python (which has kfp, scikit-learn and the SDK) and ignores it.
IMAGE = "python:3.11"
#: The prebuilt scikit-learn serving image the model is uploaded with.
SKLEARN_IMAGE = "us-docker.pkg.dev/vertex-ai/prediction/sklearn-cpu.1-3:latest"
PIPELINE_FILE = "pipeline_train_deploy.yaml"

# Each component runs in its own process, and kfp ships only the function's source there:
# so every import is inside the function, and nothing is shared through module globals.
# ``install_kfp_package=False``: no pip install at the start of each task (the image, or the
# embedded Vertex's Python, already has kfp).


@dsl.component(base_image=IMAGE, install_kfp_package=False)
def train(max_iter: int, train_fraction: float, model: dsl.Output[dsl.Model]) -> None:
    """Fit LogisticRegression on ``train_fraction`` of the training split; save it as
    ``model.joblib`` in the folder ``model.path`` (the layout the sklearn image serves)."""
    import os

    import joblib
    from sklearn.datasets import load_digits
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import train_test_split
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    X, y = load_digits(return_X_y=True)
    # random_state: the same split in every run and in ``evaluate``, so accuracies compare
    X_train, _, y_train, _ = train_test_split(X, y, test_size=0.2, random_state=0, stratify=y)
    keep = max(int(len(X_train) * train_fraction), 10)
    # Scaling the pixels first lets the solver converge in a few dozen steps (hundreds
    # unscaled); it is part of the saved model, so the endpoint takes raw pixels.
    classifier = make_pipeline(StandardScaler(), LogisticRegression(max_iter=max_iter))
    classifier.fit(X_train[:keep], y_train[:keep])
    os.makedirs(model.path, exist_ok=True)
    joblib.dump(classifier, os.path.join(model.path, "model.joblib"))
    model.metadata["train_rows"] = keep


@dsl.component(base_image=IMAGE, install_kfp_package=False)
def evaluate(model: dsl.Input[dsl.Model]) -> float:
    """The model's accuracy on the test split (20% of the digits, never trained on)."""
    import os

    import joblib
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    X, y = load_digits(return_X_y=True)
    _, X_test, _, y_test = train_test_split(X, y, test_size=0.2, random_state=0, stratify=y)
    classifier = joblib.load(os.path.join(model.path, "model.joblib"))
    accuracy = float(classifier.score(X_test, y_test))
    print(f"test accuracy: {accuracy:.4f}")
    return accuracy


@dsl.component(base_image=IMAGE, install_kfp_package=False)
def deployed_accuracy(endpoint_name: str) -> float:
    """The best ``accuracy`` label among the models deployed on the endpoint named
    ``endpoint_name``; 0.0 when there is none (so a first run always deploys)."""
    import os

    from google.cloud import aiplatform

    if os.environ.get("JUPYTER_VERTEX_EMULATOR_URL"):
        # run by the embedded Vertex: its address and token are in the task's environment
        import jupyter_vertex.emulator

        jupyter_vertex.emulator.init()
    else:  # on Vertex AI Pipelines: the task's own project and region
        aiplatform.init(
            project=os.environ.get("CLOUD_ML_PROJECT_ID"),
            location=os.environ.get("CLOUD_ML_REGION"),
        )
    best = 0.0
    for endpoint in aiplatform.Endpoint.list(filter=f'display_name="{endpoint_name}"'):
        for deployed in endpoint.list_models():
            label = aiplatform.Model(deployed.model).labels.get("accuracy", "")
            if label:
                best = max(best, float(label.replace("_", ".")))
    print(f"deployed accuracy on {endpoint_name!r}: {best:.4f}")
    return best


@dsl.component(base_image=IMAGE, install_kfp_package=False)
def deploy(
    model: dsl.Input[dsl.Model], accuracy: float, endpoint_name: str, serving_image: str
) -> str:
    """Upload the model (its accuracy as a label), deploy it to the endpoint with all the
    traffic, then undeploy the models it replaces. Answers the new Model's resource name."""
    import os

    from google.cloud import aiplatform

    if os.environ.get("JUPYTER_VERTEX_EMULATOR_URL"):
        import jupyter_vertex.emulator

        jupyter_vertex.emulator.init()
    else:
        aiplatform.init(
            project=os.environ.get("CLOUD_ML_PROJECT_ID"),
            location=os.environ.get("CLOUD_ML_REGION"),
        )
    found = aiplatform.Endpoint.list(filter=f'display_name="{endpoint_name}"')
    endpoint = found[0] if found else aiplatform.Endpoint.create(display_name=endpoint_name)
    replaced = endpoint.list_models()
    uploaded = aiplatform.Model.upload(
        display_name=f"{endpoint_name}-model",
        # on Vertex a gs:// folder; on the embedded Vertex a local folder the SDK uploads
        artifact_uri=model.uri,
        serving_container_image_uri=serving_image,
        labels={"accuracy": f"{accuracy:.4f}".replace(".", "_")},
    )
    uploaded.deploy(
        endpoint=endpoint,
        machine_type="n1-standard-2",
        min_replica_count=1,
        max_replica_count=1,
        traffic_percentage=100,
    )
    for old in replaced:  # the new model has all the traffic: the old ones serve nothing
        endpoint.undeploy(deployed_model_id=old.id)
    print(f"deployed {uploaded.resource_name} ({accuracy:.4f}) to {endpoint.resource_name}")
    return uploaded.resource_name


@dsl.pipeline(
    name="train-deploy-digits",
    description="Train a digits classifier; deploy it only when it beats the deployed one.",
)
def train_deploy_digits(
    endpoint_name: str = "digits-pipeline",
    max_iter: int = 1000,
    train_fraction: float = 1.0,
    serving_image: str = SKLEARN_IMAGE,
) -> None:
    trained = train(max_iter=max_iter, train_fraction=train_fraction)
    evaluated = evaluate(model=trained.outputs["model"])
    current = deployed_accuracy(endpoint_name=endpoint_name)
    # What is deployed changes between runs: never answer these two from the cache.
    current.set_caching_options(False)
    with dsl.If(evaluated.output > current.output, name="better-than-deployed"):
        deployed = deploy(
            model=trained.outputs["model"],
            accuracy=evaluated.output,
            endpoint_name=endpoint_name,
            serving_image=serving_image,
        )
        deployed.set_caching_options(False)


def run(
    endpoint_name: str = "digits-pipeline",
    max_iter: int = 1000,
    train_fraction: float = 1.0,
    package_path: str = PIPELINE_FILE,
):
    """Compile the pipeline to ``package_path`` and run it as a PipelineJob (after
    ``aiplatform.init`` or ``jupyter_vertex.emulator.init``); answers the finished job."""
    from google.cloud import aiplatform
    from kfp import compiler

    compiler.Compiler().compile(train_deploy_digits, package_path)
    job = aiplatform.PipelineJob(
        display_name="train-deploy-digits",
        template_path=package_path,
        parameter_values={
            "endpoint_name": endpoint_name,
            "max_iter": max_iter,
            "train_fraction": train_fraction,
        },
        enable_caching=False,  # train and evaluate again: the point is a new model
    )
    job.run()  # submit, then wait; raises if the run fails
    return job


def main():
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--endpoint", default="digits-pipeline")
    parser.add_argument("--max-iter", type=int, default=1000)
    parser.add_argument("--train-fraction", type=float, default=1.0)
    args = parser.parse_args()

    import jupyter_vertex.emulator

    jupyter_vertex.emulator.init()  # the embedded Vertex that JupyterLab runs
    job = run(args.endpoint, args.max_iter, args.train_fraction)
    for task in job.task_details:
        logging.info("%-22s %s", task.task_name, task.state.name)


if __name__ == "__main__":
    main()
