"""Adapters over third-party ML interfaces."""
