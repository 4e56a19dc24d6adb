"""Vertex AI API v1 (``google.cloud.aiplatform_v1``): models, endpoints (deploy, predict),
custom jobs, training pipelines and operations. Each module declares its own routes."""

# The proto package of Vertex AI v1 messages, for type names in replies and operations.
V1 = "google.cloud.aiplatform.v1"
