"""Patching: apply a diff, gate it strictly, then commit it or put the tree back.

Owns the patch workflow (``patch.py``), reading unified diffs (``diffs.py``), snapshots of the
touched paths (``snapshot.py``) and merging suffixed copies (``canonicalize.py``).

May import: records, gates, running, reports, selection, typeselect, run.
"""
