"""Batch prediction jobs: create from a file in the Jupyter root or gs:// URIs, follow, read."""
