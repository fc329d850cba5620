"""The loader: idempotent, refuses to rewrite a published version, and names the broken field."""

import shutil

import pytest
import yaml
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from frameworks.models import Framework, FrameworkVersion, Item, Section, Theme
from frameworks.reference.loader import CREATED, DATA_DIR, UNCHANGED, load_all, load_framework_file
from frameworks.reference.schema import FrameworkFileError

pytestmark = pytest.mark.django_db

MODELS = (Theme, Framework, FrameworkVersion, Section, Item, Item.themes.through)


def counts():
    return {model.__name__: model.objects.count() for model in MODELS}


@pytest.fixture
def data_dir(tmp_path):
    """A copy of the shipped data files that a test may break."""
    target = tmp_path / "data"
    shutil.copytree(DATA_DIR, target)
    return target


def edit(path, change):
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def item(data, code):
    return next(i for s in data["sections"] for i in s["items"] if i["code"] == code)


# --- loading ------------------------------------------------------------------------------------


def test_load_all_creates_everything():
    results = load_all()
    assert [(r.framework_code, r.version_number, r.status) for r in results] == [
        ("dfes-2006-checklist", 1, CREATED),
        ("dfes-2006-checklist", 2, CREATED),
        ("hackney-ten-dimensions", 1, CREATED),
        ("hackney-ten-dimensions", 2, CREATED),
        ("send-key-statements", 1, CREATED),
        ("send-key-statements", 2, CREATED),
    ]
    assert counts() == {
        "Theme": 12,
        "Framework": 3,
        "FrameworkVersion": 6,
        "Section": 2 * (10 + 11 + 7),
        "Item": 2 * (10 + 65 + 45),
        "Item_themes": Item.themes.through.objects.count(),
    }
    version = FrameworkVersion.objects.filter(framework__code="send-key-statements").latest(
        "number"
    )
    assert len(version.checksum) == 64
    assert version.rating_scale.normalise(10) == 1.0
    first = version.items.first()
    assert (first.code, first.section.code, first.position) == ("KS-OUT-1", "KS-OUT", 1)
    assert list(first.themes.values_list("code", flat=True).order_by("code")) == [
        "monitoring-and-tracking",
        "outcomes",
    ]
    assert Item.objects.filter(themes__isnull=True).count() == 0
    hackney = FrameworkVersion.objects.filter(framework__code="hackney-ten-dimensions").latest(
        "number"
    )
    assert [len(i.prompts) for i in hackney.items.all()] == [4, 5, 9, 4, 3, 9, 2, 2, 5, 8]
    assert hackney.reflective_prompts[0] == "How would I know that was happening?"


def test_loading_twice_changes_nothing():
    load_all()
    before = counts()
    checksums = dict(FrameworkVersion.objects.values_list("framework__code", "checksum"))
    uuids = set(FrameworkVersion.objects.values_list("uuid", flat=True))

    with CaptureQueriesContext(connection) as queries:
        results = load_all()

    assert {r.status for r in results} == {UNCHANGED}
    assert counts() == before
    assert dict(FrameworkVersion.objects.values_list("framework__code", "checksum")) == checksums
    assert set(FrameworkVersion.objects.values_list("uuid", flat=True)) == uuids
    writes = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    ]
    assert writes == []


def test_reformatting_a_file_is_not_a_change(data_dir):
    load_all(data_dir)
    path = data_dir / "dfes-2006-checklist" / "v1.yaml"
    edit(path, lambda data: None)  # same content, different YAML layout, comments dropped
    assert load_framework_file(path).status == UNCHANGED


def test_changed_published_version_is_refused(data_dir):
    load_all(data_dir)
    path = data_dir / "hackney-ten-dimensions" / "v1.yaml"
    edit(path, lambda data: item(data, "HTD-3").update(statement="Rewritten after publication?"))

    with pytest.raises(FrameworkFileError) as exc:
        load_framework_file(path)

    message = str(exc.value)
    assert message.startswith("hackney-ten-dimensions/v1.yaml: version 1: ")
    assert "content of published version 1 of 'hackney-ten-dimensions' has changed" in message
    assert "new version (v3.yaml with version number 3)" in message
    assert all(
        i.statement.startswith("How effective is the teaching")
        for i in Item.objects.filter(code="HTD-3")
    )


def test_new_version_is_published_beside_the_old(data_dir):
    load_all(data_dir)
    old = data_dir / "hackney-ten-dimensions" / "v1.yaml"
    new = old.with_name("v3.yaml")
    shutil.copy(old, new)

    def bump(data):
        data["version"]["number"] = 3
        data["framework"]["short_name"] = "Hackney ten dimensions (2)"
        item(data, "HTD-3")["statement"] = "How effective is teaching for children with SEN?"

    edit(new, bump)
    assert load_framework_file(new).status == CREATED
    assert load_framework_file(old).status == UNCHANGED  # and does not rename the framework back
    framework = Framework.objects.get(code="hackney-ten-dimensions")
    assert framework.short_name == "Hackney ten dimensions (2)"
    assert list(framework.versions.values_list("number", flat=True)) == [1, 2, 3]
    assert Item.objects.filter(code="HTD-3").count() == 3


def test_theme_label_change_is_applied_without_new_rows(data_dir):
    load_all(data_dir)
    path = data_dir / "themes.yaml"
    themes = yaml.safe_load(path.read_text(encoding="utf-8"))
    themes[0]["label"] = "Pupil outcomes"
    path.write_text(yaml.safe_dump(themes), encoding="utf-8")
    load_all(data_dir)
    assert Theme.objects.count() == 12
    assert Theme.objects.get(code=themes[0]["code"]).label == "Pupil outcomes"


# --- schema errors name the file, the item and the field ----------------------------------------


def remove_statement(data):
    del item(data, "HTD-3")["statement"]


def empty_statement(data):
    item(data, "HTD-3")["statement"] = "  "


def unknown_theme(data):
    item(data, "HTD-3")["themes"] = ["teaching-and-learning", "astrology"]


def duplicate_code(data):
    item(data, "HTD-4")["code"] = "HTD-3"


def bad_level_band(data):
    data["scale"]["levels"][0]["band"] = "excellent"


@pytest.mark.parametrize(
    ("framework", "change", "expected"),
    [
        (
            "hackney-ten-dimensions",
            remove_statement,
            "hackney-ten-dimensions/v1.yaml: item HTD-3: missing key 'statement'",
        ),
        (
            "hackney-ten-dimensions",
            empty_statement,
            "hackney-ten-dimensions/v1.yaml: item HTD-3: 'statement' must be a non-empty string",
        ),
        (
            "hackney-ten-dimensions",
            unknown_theme,
            "hackney-ten-dimensions/v1.yaml: item HTD-3: "
            "unknown theme 'astrology' (not in themes.yaml)",
        ),
        (
            "hackney-ten-dimensions",
            duplicate_code,
            "hackney-ten-dimensions/v1.yaml: item HTD-3: duplicate item code",
        ),
        (
            "hackney-ten-dimensions",
            bad_level_band,
            "hackney-ten-dimensions/v1.yaml: scale level 1: "
            "'band' must be null when the scale has no bands",
        ),
    ],
    ids=["missing-statement", "empty-statement", "unknown-theme", "duplicate-code", "bad-band"],
)
def test_schema_errors_name_file_item_and_field(data_dir, framework, change, expected):
    path = data_dir / framework / "v1.yaml"
    edit(path, change)
    with pytest.raises(FrameworkFileError) as exc:
        load_framework_file(path)
    assert str(exc.value) == expected
    assert FrameworkVersion.objects.count() == 0


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            lambda d: item(d, "KS-OUT-1")["exemplars"].update(excellent=["Shiny"]),
            "item KS-OUT-1: exemplar band 'excellent' is not a band of the scale",
        ),
        (
            lambda d: d["scale"]["levels"][6].update(band="planning"),
            "scale level 7: value is outside band 'planning'",
        ),
        (
            lambda d: d["scale"]["bands"][1].update(min=3),
            "scale band not_yet: overlaps band 'planning'",
        ),
        (
            lambda d: d["scale"]["levels"][1].update(band="grand"),
            "scale level 2: 'band' must be one of ['not_yet', 'planning', 'strategic']",
        ),
        (
            lambda d: d["scale"]["not_applicable"].update(value=1),
            "scale not_applicable: 'value' must not also be a level",
        ),
        (
            lambda d: d["version"].update(number=2),
            "version: 'number' is 2 but the file is named 'v1.yaml'",
        ),
        (lambda d: d["scale"].update(better="best"), "scale: 'better' must be 'lower' or 'higher'"),
        (
            lambda d: d["sections"][0].update(code="KS-LEAD"),
            "section KS-LEAD: duplicate section code",
        ),
        (
            lambda d: d["version"].update(introduction="Aims"),
            "version: 'introduction' must be a list",
        ),
        (lambda d: d.update(extra=True), "file: unknown key 'extra'"),
    ],
)
def test_key_statements_band_errors(data_dir, change, expected):
    path = data_dir / "send-key-statements" / "v1.yaml"
    edit(path, change)
    with pytest.raises(FrameworkFileError) as exc:
        load_framework_file(path)
    assert str(exc.value) == f"send-key-statements/v1.yaml: {expected}"


def test_invalid_yaml_and_bad_themes_file(data_dir):
    path = data_dir / "dfes-2006-checklist" / "v1.yaml"
    path.write_text("framework: [unclosed\n", encoding="utf-8")
    with pytest.raises(
        FrameworkFileError, match=r"^dfes-2006-checklist/v1.yaml: is not valid YAML"
    ):
        load_framework_file(path)
    (data_dir / "themes.yaml").write_text(
        "- {code: outcomes, label: A}\n- {code: outcomes, label: B}\n"
    )
    with pytest.raises(
        FrameworkFileError, match=r"^data/themes.yaml: theme outcomes: duplicate code"
    ):
        load_all(data_dir)


# --- management command -------------------------------------------------------------------------


def test_command_reports_each_file(capsys):
    call_command("load_frameworks")
    call_command("load_frameworks")
    lines = capsys.readouterr().out.splitlines()
    files = [
        f"{code}/v{n}.yaml"
        for code in ("dfes-2006-checklist", "hackney-ten-dimensions", "send-key-statements")
        for n in (1, 2)
    ]
    assert lines == [f"{f}: created" for f in files] + [f"{f}: unchanged" for f in files]


def test_command_fails_with_the_message(data_dir):
    edit(data_dir / "send-key-statements" / "v1.yaml", lambda d: d["scale"].update(better="best"))
    with pytest.raises(CommandError, match=r"send-key-statements/v1.yaml: scale: 'better' must be"):
        call_command("load_frameworks", data_dir=data_dir)
