"""Models of knowledge (filled in by its capability)."""
