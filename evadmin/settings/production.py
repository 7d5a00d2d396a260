"""Deployments: the shared settings as they are, every knob from the environment (README, "Running
against production"). No sandbox API (app, database or router), no test knobs, and nothing made on
disk: EVADMIN_VAR_DIR must exist (beat's schedule; SQLite and the file broker if used)."""

from .base import *  # noqa: F403
