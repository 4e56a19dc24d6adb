"""Tests of the embedded Vertex (jupyter_vertex.emulator), mirroring its packages."""
