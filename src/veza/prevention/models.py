"""Models of prevention (filled in by its capability)."""
