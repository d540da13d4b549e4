"""The gate runner behind `nox -s runbook` and `nox -s release`."""
