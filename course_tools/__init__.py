"""Course tooling for instructors and maintainers; the notebooks never import it."""
