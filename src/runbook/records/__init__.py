"""Records: what running a gate produced, shared by every other part.

Owns ``GateResult`` and ``Status`` (a row of the gate table), ``Finding`` (a ``path:line``
problem), ``findings_file`` (every finding of a run, ``.runbook/findings.jsonl``), the
redaction and bounding of captured text, and writing a file whole or not at all (``atomic``:
every result that crosses a process boundary is written through it).

May import: nothing of the runner.
"""
