"""Notebooks API v2 (``google.cloud.notebooks_v2``): Workbench instances, each a local Jupyter
server, and their post-startup script logs."""
