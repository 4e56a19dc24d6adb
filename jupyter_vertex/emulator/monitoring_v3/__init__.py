"""Cloud Monitoring API v3 (``google.cloud.monitoring_v3``): the endpoints' prediction metrics as
time series."""
