"""Tests of the embedded Vertex's aiplatform_v1 package."""
