"""codex-ml: a tokenizer adapter, MLflow tracking helpers, and (in ``ingestion``) text reading.

Importing this package imports neither transformers nor mlflow: each submodule pulls its own
heavy dependency only when used.
"""

__version__ = "0.1.0"
