"""Tests of the embedded Vertex's monitoring_v3 package."""
