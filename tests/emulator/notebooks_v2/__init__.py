"""Tests of the embedded Vertex's notebooks_v2 package."""
