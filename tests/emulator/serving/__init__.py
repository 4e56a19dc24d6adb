"""Tests of the embedded Vertex's serving package."""
