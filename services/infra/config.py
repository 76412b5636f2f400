"""Service configuration: a YAML file per service with ``${ENV:default}`` substitution.

nameko's own loader does the substitution, so ``nameko run --config`` and ``python -m
services.<name>`` read the same files the same way.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import yaml

SERVICES_DIR = Path(__file__).resolve().parent.parent


def load_config(service: str, path: str | os.PathLike[str] | None = None) -> dict[str, Any]:
    from nameko.cli.main import setup_yaml_parser

    setup_yaml_parser()
    config_path = Path(
        path or os.environ.get("SERVICE_CONFIG") or SERVICES_DIR / service / "config.yml"
    )
    with config_path.open(encoding="utf-8") as stream:
        config: dict[str, Any] = yaml.safe_load(stream)
    return config


def data_dir(config: dict[str, Any]) -> Path:
    return Path(config.get("DATA_DIR") or os.environ.get("DATA_DIR") or "var").resolve()
