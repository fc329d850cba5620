"""The framework data files against the source documents.

The counts are the ones the product owner checked; the opening words were typed from the sources
by hand (not generated from the data files), so a slip in either is caught. Every statement, prompt
and exemplar must also occur in the source text itself, whitespace aside.
"""

import re
from pathlib import Path

import pytest
import yaml
from django.conf import settings

from frameworks.reference.loader import DATA_DIR, version_files
from frameworks.reference.schema import read_yaml, validate_framework, validate_themes

SEEDS = Path(settings.BASE_DIR).parent / "shared" / "seeds"


def load(code, number=1):
    return yaml.safe_load((DATA_DIR / code / f"v{number}.yaml").read_text(encoding="utf-8"))


HTD, DFES, KS = (
    load("hackney-ten-dimensions"),
    load("dfes-2006-checklist"),
    load("send-key-statements"),
)


def items(doc):
    return [item for section in doc["sections"] for item in section["items"]]


def norm(text):
    """Whitespace-normalised text without the Word/Markdown conversion markup (<i>, **)."""
    text = re.sub(r"</?[a-z]+>", "", text).replace("*", "")
    text = " ".join(text.split())
    return re.sub(r" ([.,;:])", r"\1", text)  # "Every Child Matters ." left by the italics


@pytest.fixture(scope="module")
def source():
    if not SEEDS.is_dir():
        pytest.skip(f"source documents not found at {SEEDS} (shared/seeds next to the project)")
    return lambda doc: norm((SEEDS / doc["version"]["source_file"]).read_text(encoding="utf-8"))


# --- every file is valid ------------------------------------------------------------------------


def test_all_files_pass_the_schema():
    themes = validate_themes(read_yaml(DATA_DIR / "themes.yaml"), DATA_DIR / "themes.yaml")
    codes = {t["code"] for t in themes}
    assert len(codes) == 12
    files = version_files()
    assert [f"{p.parent.name}/{p.name}" for p in files] == [
        "dfes-2006-checklist/v1.yaml",
        "dfes-2006-checklist/v2.yaml",
        "hackney-ten-dimensions/v1.yaml",
        "hackney-ten-dimensions/v2.yaml",
        "send-key-statements/v1.yaml",
        "send-key-statements/v2.yaml",
    ]
    for path in files:
        validate_framework(read_yaml(path), path, codes)


# --- counts -------------------------------------------------------------------------------------


def test_hackney_ten_dimensions_counts():
    assert [s["code"] for s in HTD["sections"]] == [f"HTD-{n}" for n in range(1, 11)]
    assert all(len(s["items"]) == 1 for s in HTD["sections"])
    prompts = [len(item["prompts"]) for item in items(HTD)]
    assert prompts == [4, 5, 9, 4, 3, 9, 2, 2, 5, 8]
    assert sum(prompts) == 51
    assert HTD["version"]["reflective_prompts"] == [
        "How would I know that was happening?",
        "What else could we do to improve by one point?",
    ]


def test_dfes_checklist_groups_and_numbers():
    groups = [
        ("Leadership and management: senior leaders", 1, 3),
        ("Leadership and management: governors", 4, 6),
        ("Leadership and management: data", 7, 12),
        ("Leadership and management: resources", 13, 15),
        ("Leadership and management: deployment of additional adults", 16, 25),
        ("Policy and practice", 26, 32),
        ("Ethos and inclusion", 33, 40),
        ("Teaching and learning", 41, 48),
        ("Pupil support and engagement", 49, 55),
        ("Pupil support and engagement: transfer", 56, 58),
        ("Developing parent/carer and stakeholder partnerships", 59, 65),
    ]
    assert [
        (s["title"], int(s["items"][0]["number"]), int(s["items"][-1]["number"]))
        for s in DFES["sections"]
    ] == groups
    assert [int(i["number"]) for i in items(DFES)] == list(range(1, 66))
    assert [i["code"] for i in items(DFES)] == [f"DFES-{n:02d}" for n in range(1, 66)]


def test_key_statements_sections():
    assert [(s["code"], s["title"], len(s["items"])) for s in KS["sections"]] == [
        ("KS-OUT", "Key Statements for Outcomes for Pupils with SEND", 7),
        ("KS-LEAD", "Key Statements for Leadership of SEND", 7),
        ("KS-QTL", "Key Statements for Quality Teaching and Learning of pupils with SEND", 7),
        (
            "KS-WPP",
            "Key Statements for Working with Pupils and Parents/Carers of pupils with SEND",
            7,
        ),
        (
            "KS-RES",
            "Key Statements for the efficient use of resources to improve outcomes for SEND",
            7,
        ),
        ("KS-AI", "Key Statements for Assessment and identification of pupils with SEND", 5),
        ("KS-MTE", "Key Statements for Monitoring, Tracking and Evaluation", 5),
    ]
    assert len(items(KS)) == 45


def test_item_codes_are_unique_across_frameworks():
    codes = [i["code"] for doc in (HTD, DFES, KS) for i in items(doc)]
    assert len(codes) == len(set(codes)) == 120


# --- scales -------------------------------------------------------------------------------------


def test_hackney_scale():
    scale = HTD["scale"]
    assert scale["better"] == "lower" and scale["asks_target"] is True
    assert scale["not_applicable"] is None and scale["bands"] == []
    assert [(lv["value"], lv["label"]) for lv in scale["levels"]] == [
        (1, "Outstanding"),
        (2, "Good"),
        (3, "Satisfactory"),
        (4, "Inadequate"),
    ]


def test_dfes_scale():
    scale = DFES["scale"]
    assert scale["better"] == "higher" and scale["asks_target"] is False
    assert scale["not_applicable"] is None and scale["bands"] == []
    assert [(lv["value"], lv["label"]) for lv in scale["levels"]] == [
        (3, "Fully in place"),
        (2, "Partly in place"),
        (1, "In need of development"),
    ]


def test_key_statements_scale_descriptors(source):
    scale = KS["scale"]
    assert scale["better"] == "higher" and scale["asks_target"] is True
    assert scale["not_applicable"] == {
        "value": 0,
        "label": "Not applicable",
        "descriptor": "Inappropriate/inapplicable to our setting (please miss this out when "
        "joining the dots)",
    }
    descriptors = {lv["value"]: lv["descriptor"] for lv in scale["levels"]}
    assert list(descriptors) == list(range(1, 11))
    assert descriptors[1] == "We do not do this/haven’t done this yet"
    assert descriptors[3] == "Some evidence of practice (very patchy/no evidence of impact)"
    assert descriptors[5] == "Evidence of effective practice (not consistent or widespread)"
    assert descriptors[7].startswith("Widespread effective practice with evidence of better")
    assert (
        descriptors[8]
        == descriptors[9]
        == descriptors[10]
        == ("Case studies of outstanding practice to share")
    )
    assert descriptors[2] is descriptors[4] is descriptors[6] is None
    text = source(KS)
    for value, descriptor in descriptors.items():
        if descriptor:
            assert f"{value if value < 8 else '8-10'} {descriptor}" in text


def test_key_statements_bands_exact_wording(source):
    assert KS["scale"]["bands"] == [
        {
            "code": "strategic",
            "min": 7,
            "max": 10,
            "label": "Strategically addressed - clear evidence of impact",
        },
        {
            "code": "planning",
            "min": 4,
            "max": 6,
            "label": "Is being addressed in improvement planning",
        },
        {"code": "not_yet", "min": 0, "max": 3, "label": "Has not been addressed yet"},
    ]
    text = source(KS)
    for band in KS["scale"]["bands"]:
        assert f"{band['label']} RATING {band['min']}-{band['max']}" in text
    assert [lv["band"] for lv in KS["scale"]["levels"]] == ["not_yet"] * 3 + ["planning"] * 3 + [
        "strategic"
    ] * 4


# --- exemplars ----------------------------------------------------------------------------------

# Cells the source leaves empty (see the file's transcription notes). The 0-3 column is empty for
# every statement.
NO_EXEMPLARS = {
    ("KS-AI-4", "strategic"),
    ("KS-AI-4", "planning"),
    ("KS-MTE-3", "planning"),
    ("KS-MTE-5", "planning"),
} | {(f"KS-QTL-{n}", "planning") for n in range(2, 8)}


@pytest.mark.parametrize("item", items(KS), ids=lambda item: item["code"])
def test_key_statement_exemplars_per_band(item):
    assert set(item["exemplars"]) == {"strategic", "planning", "not_yet"}
    assert item["exemplars"]["not_yet"] == []
    for band in ("strategic", "planning"):
        expected_empty = (item["code"], band) in NO_EXEMPLARS
        assert bool(item["exemplars"][band]) is not expected_empty, (item["code"], band)


def test_exemplar_samples():
    by_code = {i["code"]: i for i in items(KS)}
    assert by_code["KS-OUT-1"]["exemplars"]["strategic"][0] == (
        "School development planning evidences how data impacts strategic, whole school "
        "planning for SEND."
    )
    assert by_code["KS-LEAD-6"]["exemplars"]["planning"][0].startswith("The SEDN development")
    assert by_code["KS-MTE-4"]["exemplars"]["planning"][0].startswith("Potentially seen as")
    assert sum(len(v) for i in items(KS) for v in i["exemplars"].values()) == 153


# --- wording against the sources ----------------------------------------------------------------

OPENING_WORDS = {
    "HTD-1": "How well do children with SEN achieve",
    "HTD-2": "How well are the attitudes, values",
    "HTD-3": "How effective is the teaching and learning",
    "HTD-4": "How effective is assessment in relation",
    "HTD-5": "How well does the curriculum meet needs?",
    "HTD-6": "How well do the school’s accommodation and resources",
    "HTD-7": "How well does the school work in partnership",
    "HTD-8": "How well informed and active is the",
    "HTD-9": "How effective is the leadership of SEN",
    "HTD-10": "How effective is the management of SEN",
    "DFES-01": "The headteacher provides an active lead",
    "DFES-02": "The school improvement plan has clear objectives",
    "DFES-03": "The senior leadership team (SLT) ensures",
    "DFES-04": "A lead governor for SEN has been identified",
    "DFES-05": "The governing body ensures that the school meets",
    "DFES-06": "Governors have had training to develop",
    "DFES-07": "The school has a specific timetable",
    "DFES-08": "The school collects a range of data",
    "DFES-09": "The headteacher, SLT, SENCO and identified governor",
    "DFES-10": "The school has clear systems for communicating",
    "DFES-11": "Targets are set for the attainment",
    "DFES-12": "The school ensures that CPD is provided",
    "DFES-13": "The use of ICT is planned",
    "DFES-14": "Specialist programmes and interventions are in place",
    "DFES-15": "Appropriate Secondary National Strategy materials are used",
    "DFES-16": "Deployment is aimed at increasing target pupils'",
    "DFES-17": "It is common practice in the classroom",
    "DFES-18": "Support is discreet so that pupils",
    "DFES-19": "Support is selective and used at particular",
    "DFES-20": "Support is focused on maximising target",
    "DFES-21": "Support is planned wherever possible",
    "DFES-22": "Support is informed and delivered by adults",
    "DFES-23": "Support is skilled, i.e. it is",
    "DFES-24": "Additional adults are alert to the class teacher's",
    "DFES-25": "Additional adults are able to contribute",
    "DFES-26": "Policies of particular relevance to the attainment",
    "DFES-27": "The school's CPD cycle includes regular revision",
    "DFES-28": "The performance management system includes targets",
    "DFES-29": "The school monitors option choices",
    "DFES-30": "The school effectively deploys additional funding",
    "DFES-31": "The SLT have a sound knowledge",
    "DFES-32": "The SLT have the confidence and knowledge",
    "DFES-33": "The school has a code of conduct",
    "DFES-34": "The classrooms and corridor displays reflect",
    "DFES-35": "The school ensures that all pupils are aware",
    "DFES-36": "Pupils with SEN and/or disabilities take a pride",
    "DFES-37": "Pupils with SEN and/or disabilities state that",
    "DFES-38": "The school creates opportunities to hear the views",
    "DFES-39": "Relationships between pupils with SEN",
    "DFES-40": "Incidents of discrimination; bullying and name calling",
    "DFES-41": "Lesson observations indicate that pupils",
    "DFES-42": "The assessment of pupils with SEN",
    "DFES-43": "Additional adults are appropriately deployed",
    "DFES-44": "The advice of specialist therapists is incorporated",
    "DFES-45": "Strategies are in place to ensure",
    "DFES-46": "Appropriately challenging targets are set",
    "DFES-47": "Pupils with SEN and/or disabilities are represented across",
    "DFES-48": "Subject department resources and schemes of work",
    "DFES-49": "Disabled pupils and those with SEN are supported",
    "DFES-50": "The school makes quality provision for gifted",
    "DFES-51": "Career and vocational guidance encourages",
    "DFES-52": "Attendance of pupils with SEN and/or disabilities at key",
    "DFES-53": "The school behaviour and attendance policies promotes",
    "DFES-54": "Vulnerable children with SEN and/or disabilities",
    "DFES-55": "All staff build trust by listening",
    "DFES-56": "The school collects and uses a range of information",
    "DFES-57": "The school creates opportunities to ensure that parents/carers",
    "DFES-58": "The school provides a range of support",
    "DFES-59": "The school has a policy on working",
    "DFES-60": "Relationships between school staff and parents/carers",
    "DFES-61": "There is regular and timely contact",
    "DFES-62": "The school develops opportunities to hear the views",
    "DFES-63": "The school is proactive in ensuring",
    "DFES-64": "The school develops active links",
    "DFES-65": "The school has developed multi-agency provision",
    "KS-OUT-1": "From their different starting points, the proportions",
    "KS-OUT-2": "School systems promote parent and carer",
    "KS-OUT-3": "Progress for pupils with SEND, across year groups",
    "KS-OUT-4": "Pupils with SEND develop and apply",
    "KS-OUT-5": "The school is engaging with a range",
    "KS-OUT-6": "The school uses a range of data",
    "KS-OUT-7": "Rates, patterns of and reasons for",
    "KS-LEAD-1": "The school has a clear vision",
    "KS-LEAD-2": "School leaders have created a culture",
    "KS-LEAD-3": "School leaders are knowledgeable on SEND",
    "KS-LEAD-4": "The SEND governor holds the school",
    "KS-LEAD-5": "The SENCO works closely alongside",
    "KS-LEAD-6": "A SEND development plan with clear",
    "KS-LEAD-7": "The school has a successful track record",
    "KS-QTL-1": "Senior and middle leaders with responsibility",
    "KS-QTL-2": "Senior leaders are involved in reviewing",
    "KS-QTL-3": "Teachers have a clear understanding of pupil need",
    "KS-QTL-4": "The individual needs of pupils are communicated",
    "KS-QTL-5": "Teachers use assessment information to plan",
    "KS-QTL-6": "Evidence from observations shows the teaching",
    "KS-QTL-7": "Outcomes from interventions are integrated",
    "KS-WPP-1": "The SEND information report provides",
    "KS-WPP-2": "Systems are in place to allow parents",
    "KS-WPP-3": "The school and parents work in partnership",
    "KS-WPP-4": "Pupils with SEND speak highly of",
    "KS-WPP-5": "There are opportunities for pupils with SEND",
    "KS-WPP-6": "Pupils with SEND are involved in wrap-around",
    "KS-WPP-7": "Pupils, parents and carers are made aware",
    "KS-RES-1": "SEND has a high profile in staff",
    "KS-RES-2": "Teaching assistants receive professional reviews.",
    "KS-RES-3": "Deployment decisions in relation to teaching",
    "KS-RES-4": "There is a graduated approach to interventions.",
    "KS-RES-5": "Interventions are evidence informed and coordinated",
    "KS-RES-6": "The school is appropriately staffed and resourced",
    "KS-RES-7": "The school has developed a holistic approach",
    "KS-AI-1": "Comprehensive assessment supports accurate identification",
    "KS-AI-2": "The effectiveness of classroom teaching is taken",
    "KS-AI-3": "The school scrutinizes behaviour, exclusion and attendance",
    "KS-AI-4": "The SEND register is accurate",
    "KS-AI-5": "Parents and carers are fully involved",
    "KS-MTE-1": "Pupils with SEND have personalized plans",
    "KS-MTE-2": "Interventions follow a cycle of Assess",
    "KS-MTE-3": "Interventions are rigorously evaluated.",
    "KS-MTE-4": "The school has a good understanding of how",
    "KS-MTE-5": "The SENCO uses externally validated data",
}
ALL_ITEMS = {i["code"]: (doc, i) for doc in (HTD, DFES, KS) for i in items(doc)}


def test_every_item_has_expected_opening_words():
    assert set(OPENING_WORDS) == set(ALL_ITEMS)


@pytest.mark.parametrize("code", list(OPENING_WORDS))
def test_opening_words(code):
    _doc, item = ALL_ITEMS[code]
    assert item["statement"].startswith(OPENING_WORDS[code])


@pytest.mark.parametrize("code", list(ALL_ITEMS))
def test_statement_occurs_in_source(code, source):
    doc, item = ALL_ITEMS[code]
    text = source(doc)
    assert norm(item["statement"]) in text
    for prompt in item["prompts"]:
        assert norm(prompt) in text, prompt
    for exemplars in item["exemplars"].values():
        for exemplar in exemplars:
            assert norm(exemplar) in text, exemplar


# Introduction lines deliberately not verbatim (explained in the files' transcription notes).
EDITED_INTRODUCTION = {"2. To plan for closing those gaps (evidence section)"}


@pytest.mark.parametrize("doc", [HTD, DFES, KS], ids=lambda d: d["framework"]["code"])
def test_introduction_and_titles_occur_in_source(doc, source):
    text = source(doc)
    for paragraph in doc["version"]["introduction"] + doc["version"]["reflective_prompts"]:
        if paragraph not in EDITED_INTRODUCTION:
            assert norm(paragraph) in text, paragraph
    for section in doc["sections"]:
        assert norm(section["title"]) in text
    if doc is not HTD:  # the Hackney document has no title; its source_title says so
        assert norm(doc["version"]["source_title"]) in text


def test_no_conversion_debris_in_texts():
    for doc in (HTD, DFES, KS):
        for item in items(doc):
            texts = [item["statement"], *item["prompts"]]
            texts += [e for band in item["exemplars"].values() for e in band]
            for text in texts:
                assert text == text.strip() and "  " not in text and "\t" not in text, text
                assert "<" not in text and "**" not in text and "\u00a0" not in text, text
                assert not text.startswith(("·", "- ")), text


# --- version 2: the source wording users need while rating (issue 7, point 16) ---------------------

HTD2, DFES2, KS2 = (
    load("hackney-ten-dimensions", 2),
    load("dfes-2006-checklist", 2),
    load("send-key-statements", 2),
)


def _statements(doc):
    return [(i["code"], i["statement"], i["exemplars"], i["prompts"]) for i in items(doc)]


@pytest.mark.parametrize(("v1", "v2"), [(HTD, HTD2), (DFES, DFES2), (KS, KS2)])
def test_version_2_keeps_every_statement_of_version_1(v1, v2):
    assert v2["version"]["number"] == 2
    assert _statements(v2) == _statements(v1)
    assert v2["scale"] == v1["scale"]


def test_dfes_pause_for_reflection_questions_word_for_word(source):
    text = source(DFES2)
    prompted = {s["title"]: s.get("reflective_prompts", []) for s in DFES2["sections"]}
    assert sum(len(p) for p in prompted.values()) == 12  # six pauses in the guidance
    assert prompted["Leadership and management: data"][0] == (
        "What more needs to be done in your school to ensure that all staff have a thorough "
        "understanding of data related to pupils with SEN and/or disabilities?"
    )
    assert prompted["Ethos and inclusion"] == [
        "What methods are already in use to canvass the views of pupils and parents/carers in "
        "all aspects of school life?"
    ]
    assert prompted["Leadership and management: governors"] == []
    for prompts in prompted.values():
        for prompt in prompts:
            assert norm(prompt) in text, prompt


def test_key_statements_evidence_prompt_and_the_cut_off_row(source):
    prompt = KS2["version"]["evidence_prompt"]
    assert prompt == "Evidence – How do you know? What does this look like in this school?"
    assert norm(prompt) in source(KS2)
    notes = " ".join(KS2["version"]["transcription_notes"])
    assert "KS-MTE-5" in notes and "missing from the copy transcribed" in notes
    last = items(KS2)[-1]
    assert last["code"] == "KS-MTE-5" and last["exemplars"]["planning"] == []


def test_hackney_critical_friend_paragraph(source):
    intro = HTD2["version"]["introduction"]
    paragraph = next(p for p in intro if "critical friend" in p)
    assert paragraph.startswith("The monitoring system is designed for the school to use")
    assert intro.index(paragraph) == 1
    assert norm(paragraph) in source(HTD2)
