"""Gates: the one place where a gate is defined.

Owns the gate table (``table.py``: name, command, dependency group, tool), the settings read from
``pyproject.toml`` and the environment (``settings.py``), the one-line reasons (``reasons.py``),
``tools/``, one module per tool that turns its machine output into findings, and the wrapper
that runs a tool inside its gate's session and writes its ``result.json`` (``wrapper.py``). A
new gate is one row in ``table.py``; a new tool, one module in ``tools/``.

May import: records.
"""
