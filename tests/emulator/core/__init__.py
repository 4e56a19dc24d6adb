"""Tests of the embedded Vertex's core package."""
