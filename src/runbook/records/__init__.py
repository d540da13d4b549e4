"""Records: what running a gate produced, shared by every other part.

Owns ``GateResult`` and ``Status`` (a row of the gate table), ``Finding`` (a ``path:line``
problem), ``findings_file`` (every finding of a run, ``.runbook/findings.jsonl``) and the
redaction and bounding of captured text.

May import: nothing of the runner.
"""
