"""Experiment tracking."""
