"""Settings made of positive numbers: the analysis thresholds, the gateway's limits."""

from __future__ import annotations

import math
from dataclasses import asdict
from typing import ClassVar


class PositiveSettings:
    """A base for dataclasses of settings whose every field is a finite number above zero.

    Made with any other value, an instance raises ValueError naming the field as
    ``{kind} {name}``, ``kind`` given with the base (``class Limits(PositiveSettings,
    kind="gateway limit")``)."""

    kind: ClassVar[str] = "setting"

    def __init_subclass__(cls, kind: str = "setting", **kw) -> None:
        super().__init_subclass__(**kw)
        cls.kind = kind

    def __post_init__(self) -> None:
        for name, value in asdict(self).items():
            if not (isinstance(value, int | float) and math.isfinite(value) and value > 0):
                raise ValueError(f"{self.kind} {name} must be a positive number, not {value!r}")
