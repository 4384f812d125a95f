"""Models of the partnerships app."""
