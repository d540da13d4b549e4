"""One MLflow run per unit of work, configured once and safe to call when tracking is off.

``start_run`` yields a small ``TrackingRun`` of our own rather than MLflow's ``ActiveRun``:
MLflow's logging lives in module-level functions, so a caller holding an ``ActiveRun`` would
still need ``import mlflow`` (and an ``if`` for the disabled case). The wrapper gives both cases
one typed surface, and keeps MLflow's partially typed API inside this module.

mlflow is imported only inside ``start_run`` when tracking is enabled, so importing
``codex_ml`` or this module never imports it, and a disabled config works without it.

Process state: ``start_run`` sets MLflow's tracking URI (a process global) for the run and the
``MLFLOW_SYSTEM_METRICS_*`` variables while the run starts (that is when MLflow's monitor reads
them), then restores both exactly. It is therefore not meant to be called from several threads
at once.
"""

from __future__ import annotations

import importlib.util
import math
import numbers
import os
import time
from collections.abc import Callable, Generator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Protocol, TypeVar, cast

if TYPE_CHECKING:
    from mlflow.tracking import MlflowClient

__all__ = ["MlflowConfig", "TrackingConfigError", "TrackingRun", "start_run"]

ENABLE_VAR = "CODEX_MLFLOW"
RUN_NAME_VAR = "CODEX_MLFLOW_RUN_NAME"
TRACKING_URI_VAR = "MLFLOW_TRACKING_URI"
EXPERIMENT_NAME_VAR = "MLFLOW_EXPERIMENT_NAME"
SYSTEM_METRICS_VAR = "MLFLOW_ENABLE_SYSTEM_METRICS_LOGGING"
SAMPLING_INTERVAL_VAR = "MLFLOW_SYSTEM_METRICS_SAMPLING_INTERVAL"
SAMPLES_BEFORE_LOGGING_VAR = "MLFLOW_SYSTEM_METRICS_SAMPLES_BEFORE_LOGGING"
NODE_ID_VAR = "MLFLOW_SYSTEM_METRICS_NODE_ID"

_INSTALL_HINT = (
    "install the 'tracking' extra (pip install 'codex-ml[tracking]') "
    "or, in this repository, the 'tracking' dependency group"
)


def _from_env_hint(value: object) -> str:
    if isinstance(value, str):
        return "; text such as 'false' is not parsed here (MlflowConfig.from_env parses it)"
    return ""


class TrackingConfigError(ValueError):
    """A tracking setting (argument or environment variable) has a value we cannot use."""


def _parse_bool(name: str, raw: str) -> bool:
    # Same rule as MLflow's boolean variables, so a value MLflow would reject is rejected here
    # first, before a run exists, instead of after MLflow has created it.
    lowered = raw.lower()
    if lowered not in {"true", "false", "1", "0"}:
        raise TrackingConfigError(
            f"{name} must be one of true, false, 1, 0 (any case), got {raw!r}"
        )
    return lowered in {"true", "1"}


def _check_interval(name: str, value: float, shown: object = None) -> float:
    if not (math.isfinite(value) and value > 0):
        got = value if shown is None else shown
        raise TrackingConfigError(f"{name} must be a finite number of seconds > 0, got {got!r}")
    return value


def _check_samples(name: str, value: int, shown: object = None) -> int:
    if value < 1:
        got = value if shown is None else shown
        raise TrackingConfigError(f"{name} must be an integer >= 1, got {got!r}")
    return value


_Number = TypeVar("_Number", int, float)


def _env_number(
    env: Mapping[str, str],
    name: str,
    parse: Callable[[str], _Number],
    unparsable: _Number,
    check: Callable[[str, _Number, object], _Number],
) -> _Number | None:
    """The variable ``name`` as a number, or None when unset. Text that does not parse becomes
    ``unparsable``, a value ``check`` rejects, so the error shows the variable's own text."""
    raw = env.get(name)
    if raw is None:
        return None
    try:
        value = parse(raw)
    except ValueError:
        value = unparsable
    return check(name, value, raw)


def _env_interval(env: Mapping[str, str]) -> float | None:
    return _env_number(env, SAMPLING_INTERVAL_VAR, float, math.nan, _check_interval)


def _env_samples(env: Mapping[str, str]) -> int | None:
    return _env_number(env, SAMPLES_BEFORE_LOGGING_VAR, int, 0, _check_samples)


@dataclass(frozen=True)
class MlflowConfig:
    """How (and whether) to track a run. ``None`` fields defer to MLflow's own resolution.

    ``tracking_uri=None`` lets MLflow resolve ``MLFLOW_TRACKING_URI``, then its default
    (``sqlite:///mlflow.db`` in the working directory). ``experiment_name=None`` uses MLflow's
    active/default experiment; a name is created if missing. ``log_system_metrics=None`` follows
    ``MLFLOW_ENABLE_SYSTEM_METRICS_LOGGING`` as ``mlflow.start_run`` does; ``True``/``False``
    override it. The three ``system_metrics_*`` settings apply to this run only and override the
    matching ``MLFLOW_SYSTEM_METRICS_*`` variables; ``None`` leaves those variables in charge.
    Use ``dataclasses.replace`` to adjust a config, e.g. to add tags to one from ``from_env``.
    """

    enabled: bool = False
    tracking_uri: str | None = None
    experiment_name: str | None = None
    run_name: str | None = None
    tags: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    log_system_metrics: bool | None = None
    system_metrics_sampling_interval: float | None = None
    system_metrics_samples_before_logging: int | None = None
    system_metrics_node_id: str | None = None
    artifact_location: str | None = None
    """Where a newly created experiment keeps artifacts (None: MLflow's default, ./mlruns)."""

    def __post_init__(self) -> None:
        # Frozen means the caller's dict must not be able to change the config afterwards.
        object.__setattr__(self, "tags", MappingProxyType(dict(self.tags)))
        # Types are checked at run time: a string "false" is truthy, and MLflow turns a
        # non-integer sample count into an error it only logs, after the run exists.
        enabled = cast("object", self.enabled)
        if type(enabled) is not bool:
            raise TrackingConfigError(
                f"enabled must be True or False, got {enabled!r}{_from_env_hint(enabled)}"
            )
        log_system_metrics = cast("object", self.log_system_metrics)
        if log_system_metrics is not None and type(log_system_metrics) is not bool:
            raise TrackingConfigError(
                "log_system_metrics must be True, False or None, got "
                f"{log_system_metrics!r}{_from_env_hint(log_system_metrics)}"
            )
        interval = cast("object", self.system_metrics_sampling_interval)
        if interval is not None:
            if isinstance(interval, bool) or not isinstance(interval, numbers.Real):
                raise TrackingConfigError(
                    "system_metrics_sampling_interval must be a finite number of seconds > 0 "
                    f"(int or float, not bool), got {interval!r}"
                )
            _check_interval("system_metrics_sampling_interval", float(interval), interval)
        samples = cast("object", self.system_metrics_samples_before_logging)
        if samples is not None:
            if isinstance(samples, bool) or not isinstance(samples, int):
                raise TrackingConfigError(
                    "system_metrics_samples_before_logging must be an integer >= 1 "
                    f"(an int, not a bool or float), got {samples!r}"
                )
            _check_samples("system_metrics_samples_before_logging", samples)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> MlflowConfig:
        """Build a config from environment variables (``os.environ`` unless given).

        - ``CODEX_MLFLOW``: enable tracking; true/false/1/0, any case; unset means disabled.
        - ``MLFLOW_TRACKING_URI``: tracking store; unset means MLflow's default.
        - ``MLFLOW_EXPERIMENT_NAME``: experiment, created if missing.
        - ``CODEX_MLFLOW_RUN_NAME``: run name (MLflow has no variable for it).
        - ``MLFLOW_ENABLE_SYSTEM_METRICS_LOGGING``: true/false/1/0, any case.
        - ``MLFLOW_SYSTEM_METRICS_SAMPLING_INTERVAL``: seconds, > 0.
        - ``MLFLOW_SYSTEM_METRICS_SAMPLES_BEFORE_LOGGING``: integer, >= 1.
        - ``MLFLOW_SYSTEM_METRICS_NODE_ID``: prefix that tells nodes' system metrics apart.

        MLflow reads its own variables too; reading them here makes every malformed value an
        error now, with the variable named, rather than a failure inside a half-started run.
        """
        env: Mapping[str, str] = os.environ if environ is None else environ
        enabled = env.get(ENABLE_VAR)
        system_metrics = env.get(SYSTEM_METRICS_VAR)
        return cls(
            enabled=enabled is not None and _parse_bool(ENABLE_VAR, enabled),
            tracking_uri=env.get(TRACKING_URI_VAR) or None,
            experiment_name=env.get(EXPERIMENT_NAME_VAR) or None,
            run_name=env.get(RUN_NAME_VAR) or None,
            log_system_metrics=(
                None if system_metrics is None else _parse_bool(SYSTEM_METRICS_VAR, system_metrics)
            ),
            system_metrics_sampling_interval=_env_interval(env),
            system_metrics_samples_before_logging=_env_samples(env),
            system_metrics_node_id=env.get(NODE_ID_VAR) or None,
        )


class TrackingRun(Protocol):
    """What a caller logs through; the same calls work whether tracking is on or off."""

    @property
    def run_id(self) -> str | None:
        """The MLflow run id, or ``None`` when tracking is disabled."""
        ...

    def log_metric(self, key: str, value: float, step: int | None = None) -> None: ...
    def log_metrics(self, metrics: Mapping[str, float], step: int | None = None) -> None: ...
    def log_param(self, key: str, value: object) -> None: ...
    def log_params(self, params: Mapping[str, object]) -> None: ...
    def set_tag(self, key: str, value: object) -> None: ...
    def set_tags(self, tags: Mapping[str, object]) -> None: ...
    def log_artifact(self, path: str | os.PathLike[str], artifact_path: str | None = None) -> None:
        """Upload a file, or a directory kept under its own name, to the run's artifacts."""
        ...


class _DisabledRun:
    """Accepts every call and records nothing: tracking is off by configuration."""

    run_id: str | None = None

    def log_metric(self, key: str, value: float, step: int | None = None) -> None:
        pass

    def log_metrics(self, metrics: Mapping[str, float], step: int | None = None) -> None:
        pass

    def log_param(self, key: str, value: object) -> None:
        pass

    def log_params(self, params: Mapping[str, object]) -> None:
        pass

    def set_tag(self, key: str, value: object) -> None:
        pass

    def set_tags(self, tags: Mapping[str, object]) -> None:
        pass

    def log_artifact(self, path: str | os.PathLike[str], artifact_path: str | None = None) -> None:
        pass


class _ArtifactClient(Protocol):
    """The real signature of ``MlflowClient.log_artifact``, which MLflow leaves unannotated."""

    def log_artifact(self, run_id: str, local_path: str, artifact_path: str | None = None) -> None:
        """Upload a file, or a directory kept under its own name."""
        ...


class _MlflowRun:
    """Logs to one run by id, so it stays correct even if other runs become active meanwhile."""

    def __init__(self, client: MlflowClient, run_id: str) -> None:
        self._client = client
        self._run_id = run_id

    @property
    def run_id(self) -> str:
        return self._run_id

    def log_metric(self, key: str, value: float, step: int | None = None) -> None:
        self._client.log_metric(self._run_id, key, value, step=step)

    def log_metrics(self, metrics: Mapping[str, float], step: int | None = None) -> None:
        from mlflow.entities import Metric  # noqa: PLC0415

        now = int(time.time() * 1000)
        batch = [Metric(key, value, now, step or 0) for key, value in metrics.items()]
        self._client.log_batch(self._run_id, metrics=batch)

    def log_param(self, key: str, value: object) -> None:
        self._client.log_param(self._run_id, key, value)

    def log_params(self, params: Mapping[str, object]) -> None:
        from mlflow.entities import Param  # noqa: PLC0415

        batch = [Param(key, str(value)) for key, value in params.items()]
        self._client.log_batch(self._run_id, params=batch)

    def set_tag(self, key: str, value: object) -> None:
        self._client.set_tag(self._run_id, key, value)

    def set_tags(self, tags: Mapping[str, object]) -> None:
        from mlflow.entities import RunTag  # noqa: PLC0415

        batch = [RunTag(key, str(value)) for key, value in tags.items()]
        self._client.log_batch(self._run_id, tags=batch)

    def log_artifact(self, path: str | os.PathLike[str], artifact_path: str | None = None) -> None:
        client = cast("_ArtifactClient", self._client)
        client.log_artifact(self._run_id, os.fspath(path), artifact_path)


def _resolve_system_metrics(config: MlflowConfig) -> tuple[bool, dict[str, str]]:
    """Decide system metrics and the variables to set while the run starts, before any run.

    Environment values are validated here because MLflow would check the switch only after
    creating the run, and would merely log an error for a bad sampling value.
    """
    enabled = config.log_system_metrics
    if enabled is None:
        raw = os.environ.get(SYSTEM_METRICS_VAR)
        enabled = raw is not None and _parse_bool(SYSTEM_METRICS_VAR, raw)
    if not enabled:
        return False, {}
    if importlib.util.find_spec("psutil") is None:
        raise ImportError(f"MLflow system metrics need psutil, which is missing; {_INSTALL_HINT}")
    interval = config.system_metrics_sampling_interval or _env_interval(os.environ)
    samples = config.system_metrics_samples_before_logging or _env_samples(os.environ)
    node_id = config.system_metrics_node_id or os.environ.get(NODE_ID_VAR)
    settings = {
        SAMPLING_INTERVAL_VAR: None if interval is None else repr(float(interval)),
        SAMPLES_BEFORE_LOGGING_VAR: None if samples is None else str(samples),
        NODE_ID_VAR: node_id,
    }
    return True, {name: value for name, value in settings.items() if value is not None}


@contextmanager
def _environ(values: Mapping[str, str], keep: tuple[str, ...] = ()) -> Generator[None]:
    """Set ``values`` and restore every named variable (and ``keep``) exactly, set or unset."""
    names = (*values, *keep)
    saved = {name: os.environ.get(name) for name in names}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, old in saved.items():
            if old is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = old


@contextmanager
def _tracking_uri(uri: str | None) -> Generator[None]:
    """Point MLflow's fluent API at ``uri`` for the run, then restore the previous setting."""
    if uri is None:
        yield
        return
    import mlflow  # noqa: PLC0415
    from mlflow.tracking._tracking_service import utils  # noqa: PLC0415

    # MLflow offers no public way to read "the URI set by set_tracking_uri, if any", and
    # set_tracking_uri also writes MLFLOW_TRACKING_URI, which _environ restores.
    previous = cast("str | None", utils._tracking_uri)  # pyright: ignore[reportPrivateUsage]
    with _environ({}, keep=(TRACKING_URI_VAR,)):
        mlflow.set_tracking_uri(uri)
        try:
            yield
        finally:
            utils.set_tracking_uri(cast("str", previous))  # None is accepted: "unset"


def _experiment_id(
    client: MlflowClient, name: str | None, artifact_location: str | None
) -> str | None:
    if name is None:
        return None
    experiment = client.get_experiment_by_name(name)
    if experiment is not None:
        return experiment.experiment_id
    return client.create_experiment(name, artifact_location=artifact_location)


@contextmanager
def start_run(config: MlflowConfig) -> Generator[TrackingRun]:
    """Run the body inside one MLflow run, or with a no-op ``TrackingRun`` when disabled.

    The run ends FINISHED, or FAILED if the body raises (the exception propagates). Every
    setting is checked before a run is created, so a bad value never leaves a stray run.
    """
    if not config.enabled:
        yield _DisabledRun()
        return
    log_system_metrics, sampling_env = _resolve_system_metrics(config)
    try:
        import mlflow  # noqa: PLC0415
        from mlflow.tracking import MlflowClient  # noqa: PLC0415
    except ImportError as exc:
        raise ImportError(
            f"MLflow tracking is enabled but mlflow is missing; {_INSTALL_HINT}"
        ) from exc

    with _tracking_uri(config.tracking_uri):
        client = MlflowClient()
        experiment_id = _experiment_id(client, config.experiment_name, config.artifact_location)
        # MLflow's system metrics monitor reads its variables once, when start_run creates it.
        with _environ(
            sampling_env, keep=(SAMPLING_INTERVAL_VAR, SAMPLES_BEFORE_LOGGING_VAR, NODE_ID_VAR)
        ):
            active = mlflow.start_run(
                experiment_id=experiment_id,
                run_name=config.run_name,
                tags=dict(config.tags),
                log_system_metrics=log_system_metrics,
            )
        with active:
            yield _MlflowRun(client, active.info.run_id)
