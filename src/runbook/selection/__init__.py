"""Selection: the tests gate, which runs only the tests a change can affect.

Owns the tests gate's launcher (``testgate.py``) and its parts: the stored selection data
(``store.py``), reading coverage data (``coverdata.py``), merging it (``merge.py``), the reports
and the floor (``verdict.py``) with each file's analysis kept between verdicts (``parses.py``),
the ``.pth`` for child processes (``childpth.py``); the decision from stored data (``impact.py``,
with its parts: the kinds of file ``files.py``, module fingerprints ``fingerprint.py``, test
modules' import prints ``importprint.py``, the stored data ``stored.py`` and signature changes
``signatures.py``), the pytest plugin that records and deselects (``testselect.py``) and the
variables the gate hands it (``handoff.py``), the one that resets state a test leaves behind
(``isolation.py``), the following of the tests' Python children (``childwatch.py``) and the
comparison of coverage data files (``covdiff.py``).
It runs inside the tests environment, not in the runner's process.

May import: records, gates, running.
"""
