"""Type selection: the types gate, which checks only the files a change can affect.

Owns the types gate's launcher (``typegate.py``: runs pyright, records the baseline, hands its
result over) and its parts: the project's import graph and the reverse closure of a change
(``imports.py``), which files pyright checks and reads (``project.py``), the digest of the
environment pyright checks against (``environment.py``), the stored baseline (``baseline.py``)
and the decision, full or selective (``plan.py``). Why a selective verdict equals a full
run's is said in ``typegate.py``. It runs inside the types environment, not in the runner's
process.

May import: records, gates, running.
"""
