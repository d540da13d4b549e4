"""Tracking: the runbook's trajectory in MLflow, and the dashboard that shows it.

Owns logging a run to MLflow (``track.py``) and serving the MLflow UI on it (``dashboard.py``).

May import: records, gates, running, reports, selection, typeselect, run.
"""
