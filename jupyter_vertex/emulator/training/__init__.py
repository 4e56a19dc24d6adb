"""The training engine: the runner's job queue, worker pools and the training replica processes."""
