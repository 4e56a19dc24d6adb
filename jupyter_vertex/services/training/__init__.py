"""Training use cases: create a job from a file (options, packaging, provenance), read jobs
back as the API's ``Job``, their logs and equivalent SDK code, and the Train dialog's preview.
"""
