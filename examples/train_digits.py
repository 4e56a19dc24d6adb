"""Train a scikit-learn classifier on the digits data set, the way Vertex AI samples do.

Vertex AI (and the embedded Vertex) runs this with ``AIP_MODEL_DIR`` set to a ``gs://``
folder: the model is saved as ``model.joblib`` locally, then uploaded there with
google-cloud-storage, which is where the prebuilt scikit-learn prediction container looks
for it. Run by hand (no ``AIP_MODEL_DIR``), it saves to ``./model`` instead.

Beside the model it writes ``instance_example.json``, ``{"instances": [<one test row>]}``: the
panel's Test editor starts with it, so a first prediction needs no guessing of the input.

    python train_digits.py --max-iter 1000 --test-size 0.2
"""

import argparse
import json
import logging
import os

import joblib
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split

MODEL_FILE = "model.joblib"
EXAMPLE_FILE = "instance_example.json"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-iter", type=int, default=1000)
    parser.add_argument("--test-size", type=float, default=0.2)
    parser.add_argument("--seed", type=int, default=0)
    return parser.parse_args()


def save_model(model, example, model_dir):
    """Save ``model`` as ``model.joblib`` and ``example`` (one instance) as
    ``instance_example.json`` in ``model_dir`` (a ``gs://`` URI or a folder)."""
    joblib.dump(model, MODEL_FILE)
    with open(EXAMPLE_FILE, "w") as f:
        json.dump({"instances": [example]}, f)
    if model_dir.startswith("gs://"):
        from google.cloud import storage

        bucket_name, _, prefix = model_dir[len("gs://") :].partition("/")
        client = storage.Client(project=os.environ.get("CLOUD_ML_PROJECT_ID"))
        bucket = client.bucket(bucket_name)
        bucket.blob(prefix.rstrip("/") + "/" + EXAMPLE_FILE).upload_from_filename(EXAMPLE_FILE)
        blob = bucket.blob(prefix.rstrip("/") + "/" + MODEL_FILE)
        blob.upload_from_filename(MODEL_FILE)
        return f"gs://{bucket_name}/{blob.name}"
    os.makedirs(model_dir, exist_ok=True)
    os.replace(EXAMPLE_FILE, os.path.join(model_dir, EXAMPLE_FILE))
    target = os.path.join(model_dir, MODEL_FILE)
    os.replace(MODEL_FILE, target)
    return target


def main():
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    args = parse_args()
    X, y = load_digits(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=args.test_size, random_state=args.seed, stratify=y
    )
    model = LogisticRegression(max_iter=args.max_iter)
    model.fit(X_train, y_train)
    logging.info("test accuracy: %.4f", model.score(X_test, y_test))
    # A test row as plain numbers: the JSON a prediction request carries.
    example = [float(v) for v in X_test[0]]
    where = save_model(model, example, os.environ.get("AIP_MODEL_DIR", "model"))
    logging.info("model saved to %s", where)


if __name__ == "__main__":
    main()
