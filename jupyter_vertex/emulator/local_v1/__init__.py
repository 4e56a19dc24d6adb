"""What the embedded Vertex says about the machine it runs on (no Google API has this)."""
