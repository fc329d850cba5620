"""The LA administrator's thresholds for the "schools needing attention" rules."""

from __future__ import annotations

from django import forms

from dashboards.flags import THRESHOLDS


class ThresholdsForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for t in THRESHOLDS:
            self.fields[t.code] = forms.DecimalField(
                label=t.label,
                help_text=f"{t.hint} Default: {t.default.normalize():f} {t.unit}.",
                min_value=t.minimum,
                max_value=t.maximum,
                max_digits=8,
                decimal_places=0 if t.unit in ("days", "years") else 2,  # whole days, years
                error_messages={
                    "required": f"Enter a value for ‘{t.label}’",
                    "invalid": f"‘{t.label}’ must be a number",
                    "min_value": f"‘{t.label}’ must be {t.minimum.normalize():f} or more",
                    "max_value": f"‘{t.label}’ must be {t.maximum.normalize():f} or less",
                    "max_decimal_places": f"‘{t.label}’ can have at most %(max)s decimal places",
                },
            )
