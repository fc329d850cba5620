"""RatingScale: normalising to 0..1 (1 best) across directions, N/A and averages."""

import pytest
import yaml

from frameworks.reference.loader import DATA_DIR
from frameworks.reference.scales import RatingScale


def scale_of(code):
    data = yaml.safe_load((DATA_DIR / code / "v1.yaml").read_text(encoding="utf-8"))
    return RatingScale.from_dict(data["scale"])


HACKNEY = scale_of("hackney-ten-dimensions")
DFES = scale_of("dfes-2006-checklist")
KS = scale_of("send-key-statements")


@pytest.mark.parametrize(
    ("scale", "value", "expected"),
    [
        (HACKNEY, 1, 1.0),  # lower is better: grade 1 Outstanding is the best
        (HACKNEY, 2, 2 / 3),
        (HACKNEY, 3, 1 / 3),
        (HACKNEY, 4, 0.0),
        (DFES, 3, 1.0),
        (DFES, 2, 0.5),
        (DFES, 1, 0.0),
        (KS, 10, 1.0),
        (KS, 1, 0.0),
        (KS, 7, 6 / 9),
        (KS, "5", 4 / 9),  # form posts are strings
    ],
)
def test_normalise(scale, value, expected):
    assert scale.normalise(value) == pytest.approx(expected)


@pytest.mark.parametrize("value", [None, "", 0, "0"])
def test_key_statements_blank_and_not_applicable_normalise_to_none(value):
    assert KS.normalise(value) is None


def test_values_outside_the_scale_are_refused():
    with pytest.raises(ValueError, match="not a value of the scale"):
        HACKNEY.normalise(0)  # Hackney has no N/A: 0 is simply wrong
    with pytest.raises(ValueError):
        KS.normalise(11)
    with pytest.raises(ValueError):
        DFES.normalise(True)


def test_average_ignores_blank_and_not_applicable():
    assert KS.average([0, 10, None, "", 4]) == 7.0
    assert KS.average([0, None]) is None
    assert HACKNEY.average([1, 2, 3]) == 2.0
    assert DFES.average([]) is None


def test_normalised_average_respects_direction_and_skips_na():
    assert HACKNEY.normalised_average([1, 4]) == pytest.approx(0.5)
    assert HACKNEY.normalised_average([1, 1]) == 1.0
    assert KS.normalised_average([10, 0, 0, 0]) == 1.0  # N/A does not pull the score down
    assert KS.normalised_average([0]) is None


def test_not_applicable():
    assert KS.is_not_applicable(0) and KS.is_not_applicable("0")
    assert not KS.is_not_applicable(1) and not KS.is_not_applicable(None)
    assert not HACKNEY.is_not_applicable(0) and not DFES.is_not_applicable(0)
    assert 0 not in KS.values()


def test_labels_and_descriptors():
    assert HACKNEY.label_for(1) == "Outstanding" and HACKNEY.label_for("4") == "Inadequate"
    assert DFES.label_for(2) == "Partly in place"
    assert KS.label_for(0) == "Not applicable"
    assert KS.descriptor_for(0).startswith("Inappropriate/inapplicable")
    assert KS.descriptor_for(2) is None
    assert KS.label_for(None) == "" and KS.label_for(42) == ""


def test_bands():
    assert KS.band_for(10).code == "strategic" and KS.band_for(7).code == "strategic"
    assert KS.band_for(6).code == "planning" and KS.band_for(4).code == "planning"
    assert KS.band_for(3).code == "not_yet" and KS.band_for(1).code == "not_yet"
    assert KS.band_for(0) is None  # N/A is not "not addressed yet"
    assert KS.band_for(None) is None
    assert HACKNEY.band_for(1) is None and DFES.band_for(3) is None


def test_choices_for_radio_buttons():
    assert HACKNEY.choices() == [
        (1, "Outstanding"),
        (2, "Good"),
        (3, "Satisfactory"),
        (4, "Inadequate"),
    ]
    assert DFES.choices() == [
        (3, "Fully in place"),
        (2, "Partly in place"),
        (1, "In need of development"),
    ]
    assert KS.choices() == [(v, str(v)) for v in range(1, 11)] + [(0, "Not applicable")]


def test_target_and_direction_flags():
    assert HACKNEY.asks_target and KS.asks_target and not DFES.asks_target
    assert (HACKNEY.better, DFES.better, KS.better) == ("lower", "higher", "higher")


def test_scale_is_immutable():
    with pytest.raises(AttributeError):
        KS.better = "lower"
