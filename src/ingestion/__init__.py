"""Read text files whose encoding is unknown."""
