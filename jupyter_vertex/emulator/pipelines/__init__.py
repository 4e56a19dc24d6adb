"""Vertex AI Pipelines' engine: PipelineJobs run by KFP's own local runner (:mod:`.driver`)."""
