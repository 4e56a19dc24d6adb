"""Tests of the embedded Vertex's training package."""
