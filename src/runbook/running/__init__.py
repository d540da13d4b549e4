"""Running: one gate as a child process group, bounded in time, stoppable, cached.

Owns launching and stopping a gate's run (``execute.py``), what its outcome means
(``outcome.py``), waiting for a killed group to be gone (``procgroup.py``), Ctrl-C/SIGTERM
handling (``signals.py``), the per-tree lock (``treelock.py``), cached results (``cache.py``)
and git plumbing (``gitutil.py``).

May import: records, gates.
"""
