"""Vertex AI Pipelines from files of the Jupyter root (see :mod:`.service`)."""
