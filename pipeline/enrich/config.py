"""The analytic rules (config/hubscope.toml) as one typed, frozen object, and as the tables a refresh stores.

The shipped file is the only copy of the defaults: a file given with `config_path` is laid over it key by key,
so a partial file changes only what it names. Unknown sections or keys are refused with one line naming them.
`Config.tables()` is what the SQL macros read (sql/macros.sql): the refresh writes those frames into the DB
before macros, views and rollups run, so Python and SQL apply the same rule from the same object.
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from pipeline.paths import CONFIG_FILE

Ladder = tuple[tuple[str, float], ...]

# section -> the keys it may hold. Anything else in a file is a typo or a setting nothing reads.
KNOWN_KEYS: dict[str, tuple[str, ...]] = {
    "classes": ("slm_max_params",),
    "bands": ("labels", "upper"),
    "scope": ("language_model_tags",),
    "memory": ("bytes_per_param_bf16", "bytes_per_param_4bit"),
    "devices": ("labels", "max_gb_4bit"),
}


class ConfigError(ValueError):
    """A configuration file HubScope cannot use; the message is one line that names the file and the key."""


@dataclass(frozen=True)
class Config:
    """Analytic settings. A model is SLM when params_total < slm_max_params (strict)."""

    slm_max_params: float
    size_bands: Ladder  # (label, exclusive upper bound in parameters), ascending; the last is inf
    language_model_tags: frozenset[str]
    bytes_per_param_bf16: float
    bytes_per_param_4bit: float
    device_classes: Ladder  # (label, inclusive upper bound in GB of 4-bit weights), ascending; the last is inf

    def tables(self) -> dict[str, pl.DataFrame]:
        """The rules this run uses, as the DB tables sql/macros.sql reads (names and columns are a contract)."""
        return {
            "config_classes": pl.DataFrame(
                {"slm_max_params": [self.slm_max_params]}, schema={"slm_max_params": pl.Float64}
            ),
            "config_bands": _ladder_frame(self.size_bands, "band_order", "upper"),
            "config_devices": _ladder_frame(self.device_classes, "device_order", "max_gb_4bit"),
            "config_language_tags": pl.DataFrame(
                {"pipeline_tag": sorted(self.language_model_tags)}, schema={"pipeline_tag": pl.String}
            ),
        }


def _ladder_frame(ladder: Ladder, order: str, bound: str) -> pl.DataFrame:
    return pl.DataFrame(
        {order: list(range(1, len(ladder) + 1)), "label": [lbl for lbl, _ in ladder], bound: [u for _, u in ladder]},
        schema={order: pl.Int32, "label": pl.String, bound: pl.Float64},
    )


def load_config(path: Path | None = None) -> Config:
    """The shipped config/hubscope.toml, with `path` (if given) laid over it. Raises ConfigError (one line)."""
    doc = _read(CONFIG_FILE)
    if path is not None and Path(path) != CONFIG_FILE:
        for section, values in _read(Path(path)).items():
            doc.setdefault(section, {}).update(values)
    where = str(path or CONFIG_FILE)
    return Config(
        slm_max_params=_positive(doc, "classes", "slm_max_params", where),
        size_bands=_ladder(doc, "bands", "labels", "upper", where),
        language_model_tags=_tags(doc, where),
        bytes_per_param_bf16=_positive(doc, "memory", "bytes_per_param_bf16", where),
        bytes_per_param_4bit=_positive(doc, "memory", "bytes_per_param_4bit", where),
        device_classes=_ladder(doc, "devices", "labels", "max_gb_4bit", where),
    )


def _read(path: Path) -> dict[str, dict[str, Any]]:
    if not path.is_file():
        raise ConfigError(f"config file not found: {path}")
    try:
        with path.open("rb") as fh:
            doc = tomllib.load(fh)
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(f"{path}: not valid TOML: {err}") from None
    for section, values in doc.items():
        if section not in KNOWN_KEYS or not isinstance(values, dict):
            raise ConfigError(f"{path}: unknown section [{section}] (known: {', '.join(KNOWN_KEYS)})")
        for key in values:
            if key not in KNOWN_KEYS[section]:
                known = ", ".join(KNOWN_KEYS[section])
                raise ConfigError(f"{path}: unknown key [{section}] {key} (known in [{section}]: {known})")
    return doc


def _get(doc: dict[str, dict[str, Any]], section: str, key: str, where: str) -> Any:
    try:
        return doc[section][key]
    except KeyError:
        raise ConfigError(f"{where}: missing key [{section}] {key}") from None


def _number(x: Any, section: str, key: str, where: str) -> float:
    if isinstance(x, str) and x.lower() in ("inf", "infinity"):
        return math.inf
    if isinstance(x, bool) or not isinstance(x, int | float):
        raise ConfigError(f'{where}: [{section}] {key} must be a number or "inf", got {x!r}')
    return float(x)


def _positive(doc: dict[str, dict[str, Any]], section: str, key: str, where: str) -> float:
    value = _number(_get(doc, section, key, where), section, key, where)
    if not 0 < value < math.inf:
        raise ConfigError(f"{where}: [{section}] {key} must be a positive finite number, got {value!r}")
    return value


def _ladder(doc: dict[str, dict[str, Any]], section: str, labels_key: str, bound_key: str, where: str) -> Ladder:
    labels, bounds = _get(doc, section, labels_key, where), _get(doc, section, bound_key, where)
    if not isinstance(labels, list) or not labels or not all(isinstance(x, str) and x for x in labels):
        raise ConfigError(f"{where}: [{section}] {labels_key} must be a non-empty list of names")
    if not isinstance(bounds, list) or len(bounds) != len(labels):
        raise ConfigError(f"{where}: [{section}] {labels_key} and {bound_key} differ in length")
    if len(set(labels)) != len(labels):
        raise ConfigError(f"{where}: [{section}] {labels_key} has a name twice")
    values = [_number(b, section, bound_key, where) for b in bounds]
    if any(b <= a for a, b in zip(values, values[1:], strict=False)) or values[0] <= 0:
        raise ConfigError(f"{where}: [{section}] {bound_key} must be positive and strictly increasing")
    if values[-1] != math.inf:
        raise ConfigError(f'{where}: [{section}] {bound_key} must end with "inf" (the last class takes the rest)')
    return tuple(zip(labels, values, strict=True))


def _tags(doc: dict[str, dict[str, Any]], where: str) -> frozenset[str]:
    tags = _get(doc, "scope", "language_model_tags", where)
    if not isinstance(tags, list) or not tags or not all(isinstance(t, str) and t for t in tags):
        raise ConfigError(f"{where}: [scope] language_model_tags must be a non-empty list of pipeline tags")
    return frozenset(tags)
