"""Models of feedback (filled in by its capability)."""
