"""Rating scales of framework versions, as plain immutable objects.

A version's scale is stored as JSON (FrameworkVersion.scale, the mapping of its data file) and read
through `RatingScale`, so that forms, charts and dashboards never interpret the JSON themselves.

`normalise` maps any framework's rating to 0..1 where 1 is best, so that schools using different
frameworks (or one school across a change of framework) can be compared. "Not applicable" and blank
ratings normalise to None and are left out of averages: a school must not score lower for an item
it rightly said does not apply to it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

LOWER = "lower"
HIGHER = "higher"


@dataclass(frozen=True)
class Level:
    """One selectable value of a scale."""

    value: int
    label: str
    descriptor: str | None = None
    band: str | None = None


@dataclass(frozen=True)
class Band:
    """A named range of values (inclusive), e.g. key statements 7-10 "Strategically addressed"."""

    code: str
    min: int
    max: int
    label: str

    def __contains__(self, value: int) -> bool:
        return self.min <= value <= self.max


@dataclass(frozen=True)
class RatingScale:
    """The rating scale of one framework version (see frameworks/data/README.md)."""

    name: str
    better: str
    asks_target: bool
    levels: tuple[Level, ...]
    bands: tuple[Band, ...] = ()
    not_applicable: Level | None = None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RatingScale:
        na = data.get("not_applicable")
        return cls(
            name=data["name"],
            better=data["better"],
            asks_target=bool(data["asks_target"]),
            levels=tuple(
                Level(lv["value"], lv["label"], lv.get("descriptor"), lv.get("band"))
                for lv in data["levels"]
            ),
            bands=tuple(
                Band(b["code"], b["min"], b["max"], b["label"]) for b in data.get("bands", [])
            ),
            not_applicable=Level(na["value"], na["label"], na.get("descriptor")) if na else None,
        )

    # -- lookups -------------------------------------------------------------------------------

    def values(self) -> list[int]:
        """The real rating values in the file's order (never the N/A value)."""
        return [lv.value for lv in self.levels]

    def level_for(self, value: int | str | None) -> Level | None:
        value = self._coerce(value)
        if value is None:
            return None
        if self.is_not_applicable(value):
            return self.not_applicable
        return next((lv for lv in self.levels if lv.value == value), None)

    def label_for(self, value: int | str | None) -> str:
        level = self.level_for(value)
        return level.label if level else ""

    def descriptor_for(self, value: int | str | None) -> str | None:
        level = self.level_for(value)
        return level.descriptor if level else None

    def hint_for(self, value: int | str | None) -> str | None:
        """The descriptor to show beside one level's radio, once per run of levels sharing it.

        The key statements print one descriptor for 8-10; the data gives it to each of 8, 9 and 10.
        It is shown once, on the run's first level, naming the range ("8 to 10: ..."), and not
        repeated on 9 and 10.
        """
        value = self._coerce(value)
        if value is None:
            return None
        if self.is_not_applicable(value):
            return self.not_applicable.descriptor if self.not_applicable else None
        levels = list(self.levels)
        index = next((i for i, lv in enumerate(levels) if lv.value == value), None)
        if index is None or not levels[index].descriptor:
            return None
        descriptor = levels[index].descriptor
        if index > 0 and levels[index - 1].descriptor == descriptor:
            return None
        end = index
        while end + 1 < len(levels) and levels[end + 1].descriptor == descriptor:
            end += 1
        if end == index:
            return descriptor
        return f"{levels[index].label} to {levels[end].label}: {descriptor}"

    def is_not_applicable(self, value: int | str | None) -> bool:
        value = self._coerce(value)
        return self.not_applicable is not None and value == self.not_applicable.value

    def band_for(self, value: int | str | None) -> Band | None:
        """The band a rating falls in; None for blank, N/A or a scale without bands.

        The key statements print band 0-3 including 0, but 0 means "not applicable" there, so an
        N/A rating is deliberately in no band (it must not count as "not addressed yet").
        """
        value = self._coerce(value)
        if value is None or self.is_not_applicable(value):
            return None
        return next((b for b in self.bands if value in b), None)

    def choices(self) -> list[tuple[int, str]]:
        """(value, label) pairs for radio buttons: the levels in file order, then N/A if any."""
        pairs = [(lv.value, lv.label) for lv in self.levels]
        if self.not_applicable is not None:
            pairs.append((self.not_applicable.value, self.not_applicable.label))
        return pairs

    # -- arithmetic ----------------------------------------------------------------------------

    def normalise(self, value: int | str | None) -> float | None:
        """0..1 with 1 the best level and 0 the worst; None for blank or N/A.

        Raises ValueError for a value that is not on the scale, so bad data is never averaged in.
        """
        value = self._coerce(value)
        if value is None or self.is_not_applicable(value):
            return None
        values = self.values()
        if value not in values:
            raise ValueError(f"{value!r} is not a value of the scale {self.name!r}")
        low, high = min(values), max(values)
        if high == low:
            return 1.0
        if self.better == LOWER:
            return (high - value) / (high - low)
        return (value - low) / (high - low)

    def average(self, values: Iterable[int | str | None]) -> float | None:
        """Mean rating in the scale's own units, ignoring blanks and N/A; None if none is left."""
        rated = [v for v in (self._coerce(x) for x in values) if v is not None]
        rated = [v for v in rated if not self.is_not_applicable(v)]
        return sum(rated) / len(rated) if rated else None

    def normalised_average(self, values: Iterable[int | str | None]) -> float | None:
        """Mean of the normalised ratings (0..1, 1 best), ignoring blanks and N/A."""
        scores = [s for s in (self.normalise(v) for v in values) if s is not None]
        return sum(scores) / len(scores) if scores else None

    @staticmethod
    def _coerce(value: int | str | None) -> int | None:
        # Form posts give strings; "" is an unanswered radio group.
        if value is None or value == "":
            return None
        if isinstance(value, bool):
            raise ValueError("a rating cannot be a boolean")
        return int(value)
