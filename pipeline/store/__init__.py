"""Storage: the single writer, the atomic rebuild, the run journal and the refresh lock."""
