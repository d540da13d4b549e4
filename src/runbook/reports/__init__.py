"""Reports: what a run shows and keeps.

Owns the gate table on screen (``console.py``) and as files (``report.py``), error capture into
Codex_Questions.md (``capture.py``), the history and its charts (``history.py``, ``trend.py``),
SARIF and GitHub annotations, the findings command, and CI's per-gate step and collect job.

May import: records, gates, running.
"""
