"""Experiment tracking.

Re-exports the MLflow helpers; importing them does not import mlflow (``start_run`` does, and
only when tracking is enabled).
"""

from codex_ml.tracking.mlflow_utils import MlflowConfig, TrackingConfigError, TrackingRun, start_run

__all__ = ["MlflowConfig", "TrackingConfigError", "TrackingRun", "start_run"]
