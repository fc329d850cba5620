"""Columns of an import kind and the parsers that turn one cell's text into a value.

A parser takes the stripped cell text (never empty: empty cells are handled by `Column.required`
and `Column.default`) and returns the value, or raises `CellError` with the reason in plain words.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from sendreview.tabular.errors import CellError

Parser = Callable[[str], Any]


@dataclass(frozen=True)
class Column:
    """One column: `key` is the heading in the template (also accepted: `label`, any case)."""

    key: str
    label: str
    parse: Parser
    required: bool = True
    default: Any = None
    hint: str = ""
    example: str = ""

    def names(self) -> set[str]:
        return {normalise_heading(self.key), normalise_heading(self.label)}


def normalise_heading(text: str) -> str:
    return re.sub(r"[\s_\-]+", " ", text.replace("\ufeff", "")).strip().lower()


def text(max_length: int = 200, *, pattern: str | None = None, pattern_message: str = "") -> Parser:
    compiled = re.compile(pattern) if pattern else None

    def parse(value: str) -> str:
        if len(value) > max_length:
            raise CellError(f"Must be {max_length} characters or fewer")
        if compiled and not compiled.fullmatch(value):
            raise CellError(pattern_message or "Is not in the expected format")
        return value

    return parse


def integer(minimum: int = 0, maximum: int = 100_000) -> Parser:
    def parse(value: str) -> int:
        cleaned = value.replace(",", "") if re.fullmatch(r"-?\d{1,3}(,\d{3})+", value) else value
        if re.fullmatch(r"-?\d+\.0+", cleaned):
            cleaned = cleaned.split(".")[0]
        if not re.fullmatch(r"-?\d+", cleaned):
            raise CellError(f"Must be a whole number from {minimum} to {maximum}")
        number = int(cleaned)
        if number < minimum or number > maximum:
            raise CellError(f"Must be a whole number from {minimum} to {maximum}")
        return number

    return parse


def money(maximum: Decimal = Decimal("100000000")) -> Parser:
    """Pounds with at most two decimal places; a leading £ and thousands commas are allowed."""

    def parse(value: str) -> Decimal:
        cleaned = value.replace("£", "").replace(",", "").strip()
        try:
            amount = Decimal(cleaned)
        except InvalidOperation as exc:
            raise CellError("Must be an amount in pounds, like 1250.00") from exc
        if not amount.is_finite() or amount.as_tuple().exponent < -2:  # type: ignore[operator]
            raise CellError("Must be an amount in pounds with at most two decimal places")
        if amount < 0 or amount > maximum:
            raise CellError(f"Must be an amount from 0 to {maximum:,}")
        return amount.quantize(Decimal("0.01"))

    return parse


def percentage() -> Parser:
    def parse(value: str) -> Decimal:
        try:
            amount = Decimal(value.rstrip("%").strip())
        except InvalidOperation as exc:
            raise CellError("Must be a percentage from 0 to 100, like 45.5") from exc
        if not amount.is_finite() or amount < 0 or amount > 100:
            raise CellError("Must be a percentage from 0 to 100, like 45.5")
        if amount.as_tuple().exponent < -2:  # type: ignore[operator]
            raise CellError("Must have at most two decimal places")
        return amount

    return parse


def choice(options: Mapping[str, Any] | Iterable[str], *, what: str = "code") -> Parser:
    """A code from a fixed list, matched without regard to case; the message lists the codes."""
    mapping = dict(options) if isinstance(options, Mapping) else {o: o for o in options}
    lookup = {str(k).lower(): v for k, v in mapping.items()}
    listed = ", ".join(str(k) for k in mapping)

    def parse(value: str) -> Any:
        try:
            return lookup[value.lower()]
        except KeyError:
            raise CellError(f"Unknown {what} {value!r}. Use one of: {listed}") from None

    return parse


def boolean() -> Parser:
    truthy = {"yes", "y", "true", "1"}
    falsy = {"no", "n", "false", "0"}

    def parse(value: str) -> bool:
        low = value.lower()
        if low in truthy:
            return True
        if low in falsy:
            return False
        raise CellError("Must be yes or no")

    return parse


def date() -> Parser:
    def parse(value: str) -> dt.date:
        for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
            try:
                return dt.datetime.strptime(value, fmt).date()
            except ValueError:
                continue
        raise CellError("Must be a date like 2025-10-02 or 02/10/2025")

    return parse
