"""Models of training (filled in by its capability)."""
