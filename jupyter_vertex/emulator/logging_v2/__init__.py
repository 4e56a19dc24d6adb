"""Cloud Logging API v2 (``google.cloud.logging_v2``): ``entries:list`` over the log sources the
engines and APIs register on the context."""
