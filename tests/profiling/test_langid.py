"""Language identification: script pass, detectors, und-Script, groups, unverifiable and absent
languages, mixed documents, the mismatch flag, and accuracy on labelled sentences."""

from __future__ import annotations

import random

import pytest

from curation.profiling import ProfileOptions
from curation.profiling.langid import (
    Answer,
    Evidence,
    Guess,
    Identifier,
    Thresholds,
    group_of,
    identifier,
    thresholds,
)
from tests.profiling.conftest import profile_asset, shared_data


@pytest.fixture(scope="module")
def ident() -> Identifier:
    return identifier(0, "fast")


@pytest.mark.parametrize(
    ("text", "tag", "detector"),
    [
        ("Γεια σου, τι κάνεις σήμερα; Ο καιρός είναι πολύ ωραίος.", "el", "script"),
        ("ქალაქის ბიბლიოთეკამ მიიღო ახალი წიგნები კუთხის ისტორიის შესახებ.", "ka", "script"),
        ("Հայաստանի մայրաքաղաքը Երևանն է, որը շատ հին քաղաք է։", "hy", "script"),
        ("今日は天気がいいので、公園へ散歩に行きましょう。", "ja", "script"),
        ("오늘은 날씨가 좋아서 공원에 산책하러 갑니다.", "ko", "script"),
        (
            "ሰላም ንዓኹም ኩልኹም ኣሕዋተይ፣ ሎሚ ብዛዕባ ትምህርቲ ክንዛረብ ኢና። ቋንቋ ትግርኛ ኣብ ኤርትራን ኢትዮጵያን ይዝረብ።",
            "ti",
            "pycld2",
        ),
        (
            "የአዲስ አበባ ከተማ አስተዳደር አዲስ የመንገድ ግንባታ ፕሮጀክት ጀመረ። ገበሬዎች በዚህ ዓመት ጥሩ ምርት ይጠብቃሉ።",
            "am",
            "pycld2+fasttext",
        ),
        (
            "Добро јутро, како си? Данас идемо у град да купимо нову књигу за школу.",
            "sr-Cyrl",
            "pycld2+fasttext",
        ),
        (
            "Mo fẹ́ràn láti máa ka ìwé ìtàn ní ilé ìkàwé wa ní gbogbo ọjọ́ Àbámẹ́ta.",
            "yo",
            "pycld2+fasttext",
        ),
        (
            "Eusko Legebiltzarrak lege berri bat onartu du gaur goizean Gasteizen, eta "
            "herritarrek eztabaida luzea izan dute hiriko plazan.",
            "eu",
            "pycld2+fasttext",
        ),
    ],
)
def test_script_pass_and_agreeing_detectors_name_what_langdetect_cannot(ident, text, tag, detector):
    assert ident.identify(text) == Answer(tag, detector)


@pytest.mark.parametrize(
    ("text", "tag"),
    [
        ("፩፪፫፬፭፮፯፰፱፲ ፳፴፵፶፷፸፹፺፻ ፩፪፫፬፭፮፯፰፱፲ ፳፴፵፶፷፸፹፺፻", "und-Ethi"),
        ("ⴰⵣⵓⵍ ⴼⵍⵍⴰⵡⵏ ⵎⴰⵏⵥⴰⴽⵉⵏ ⵜⴰⵎⴰⵣⵉⵖⵜ ⵜⴳⴰ ⵜⵓⵜⵍⴰⵢⵜ", "und-Tfng"),
        ("🙂🙂🙂🙂🙂🙂🙂🙂🙂🙂🙂🙂🙂🙂🙂🙂🙂🙂🙂🙂🙂🙂🙂🙂🙂🙂🙂🙂🙂🙂", "und-Zyyy"),
    ],
)
def test_what_no_detector_can_judge_is_und_with_its_script(ident, text, tag):
    assert ident.identify(text).tag == tag


@pytest.mark.parametrize(
    ("tag", "group"),
    [
        ("hr", ("bs", "hr", "sr-Latn")),
        ("sr-Latn", ("bs", "hr", "sr-Latn")),
        ("ms", ("id", "ms")),
        ("nn", ("da", "nb", "nn")),
        ("sk", ("cs", "sk")),
        ("mk", ("bg", "mk", "sr-Cyrl")),
        ("nr", ("nr", "ss", "xh", "zu")),
        ("nso", ("nso", "st", "tn")),
        ("ru", None),
    ],
)
def test_confusable_groups(tag, group):
    assert group_of(tag) == group


# --- the decision rules, on given detector answers ---------------------------------------------

LIMITS = Thresholds(
    veto_top=0.3,
    veto_mass=0.15,
    veto_confidence=0.5,
    fasttext_vote=0.1,
    langdetect_vote=0.9,
    cld2_alone=0.5,
    lexical_default=0.5,
    lexical_floor={"it": 0.8},
    fasttext_floor={"ky": 0.6},
)
LATIN = "Testu de prueba con abondo lletres pa que'l guion sía llatín y nada más, ensin otra cosa."
CYRILLIC = "Тестовый текст кириллицей, в котором достаточно букв для того, чтобы решить вопрос."


@pytest.fixture(scope="module")
def rules() -> Identifier:
    return Identifier(0, "fast", LIMITS)


def cld2(code: str, reliable: bool = True) -> Guess:
    return Guess(code, 0.99, reliable, ((code, 0.99),))


def fasttext(*ranked: tuple[str, float]) -> Guess:
    return Guess(ranked[0][0], ranked[0][1], ranked[0][1] >= 0.5, ranked)


def langdetect(code: str, probability: float) -> Guess:
    return Guess(code, probability, probability >= 0.9)


def test_two_independent_detectors_agreeing_name_the_language(rules):
    ev = Evidence.given(rules, LATIN, cld2=cld2("eu"), fasttext=fasttext(("eu", 0.4)))
    assert rules.decide(ev) == Answer("eu", "pycld2+fasttext")


def test_one_detector_against_another_that_knows_the_language_abstains(rules):
    ev = Evidence.given(
        rules,
        LATIN,
        cld2=cld2("eu"),
        fasttext=fasttext(("es", 0.9)),
        langdetect=langdetect("es", 0.99),
    )
    assert rules.decide(ev) == Answer("und-Latn", "none", "eu")


def test_a_reliable_pycld2_answer_stands_when_fasttext_is_unsure(rules):
    ev = Evidence.given(
        rules, LATIN, cld2=cld2("eu"), fasttext=fasttext(("es", 0.3)), langdetect=None
    )
    assert rules.decide(ev) == Answer("eu", "pycld2")


def test_the_only_detector_that_knows_a_language_can_name_it_alone(rules):
    # fastText and langdetect have no Zulu: pycld2's reliable answer is all the evidence there is.
    ev = Evidence.given(
        rules,
        LATIN,
        cld2=cld2("zu"),
        fasttext=fasttext(("sw", 0.9)),
        langdetect=langdetect("sw", 0.99),
    )
    assert rules.decide(ev) == Answer("zu", "pycld2")


def test_an_unreliable_guess_alone_is_never_an_answer(rules):
    ev = Evidence.given(
        rules, LATIN, cld2=None, cld2_best=cld2("yo", reliable=False), fasttext=None
    )
    assert rules.decide(ev) == Answer("und-Latn", "none", "yo")


def test_fasttext_vetoes_text_it_gives_to_a_language_no_detector_here_can_name(rules):
    # Asturian read as Spanish by pycld2 and langdetect; fastText knows Asturian.
    ev = Evidence.given(
        rules,
        LATIN,
        cld2=cld2("es"),
        fasttext=fasttext(("ast", 0.6), ("es", 0.3)),
        langdetect=langdetect("es", 0.99),
    )
    assert rules.decide(ev) == Answer("und-Latn", "fasttext-veto", "es")


def test_fasttext_vetoes_by_the_mass_it_gives_to_unnameable_languages(rules):
    ev = Evidence.given(
        rules,
        LATIN,
        cld2=cld2("it"),
        fasttext=fasttext(("it", 0.7), ("lmo", 0.1), ("vec", 0.1)),
        lexical={"it": 0.95},
    )
    assert rules.decide(ev) == Answer("und-Latn", "fasttext-veto", "it")


@pytest.mark.parametrize(("coverage", "tag"), [(0.6, "und-Latn"), (0.85, "it")])
def test_the_lexical_floor_turns_away_a_close_relative(rules, coverage, tag):
    ev = Evidence.given(
        rules,
        LATIN,
        cld2=cld2("it"),
        fasttext=fasttext(("it", 0.9)),
        lexical={"it": coverage},
    )
    assert rules.decide(ev).tag == tag


@pytest.mark.parametrize(("probability", "tag"), [(0.5, "und-Cyrl"), (0.7, "ky")])
def test_the_fasttext_floor_guards_a_language_without_a_word_list(rules, probability, tag):
    # Southern Altai and Tuvan read as Kyrgyz: fastText gives Kyrgyz less than to Kyrgyz text.
    ev = Evidence.given(rules, CYRILLIC, cld2=cld2("ky"), fasttext=fasttext(("ky", probability)))
    assert rules.decide(ev).tag == tag


def test_a_script_of_one_language_is_vetoed_when_fasttext_names_another(rules):
    mingrelian = "ქართული დამწერლობით დაწერილი ტექსტი, რომელიც სხვა ენაზეა და არა ქართულად."
    ev = Evidence.given(rules, mingrelian, cld2=None, fasttext=fasttext(("xmf", 0.8)))
    assert rules.decide(ev) == Answer("und-Geor", "fasttext-veto", "ka")


def test_urls_e_mail_addresses_and_code_do_not_decide_the_script(ident):
    text = (
        "Подробности смотрите на https://example.org/docs/getting-started/index.html и "
        "пишите по адресу support@example.org, а ключ конфигурации называется max_upload_size."
    )
    assert ident.identify(text).tag == "ru"


def test_group_is_reported_with_a_caveat_and_resolved_to_the_declared_member():
    text = "Selamat pagi, apa khabar? Saya hendak pergi ke pasar untuk membeli ikan dan sayur.\n"
    asset = profile_asset(text.encode(), ProfileOptions(declared_languages=("ms",)))

    row = asset.languages[0]
    assert (row.language, row.status, row.members) == ("ms", "group", ("id", "ms"))
    assert row.caveat
    assert "language_mismatch" not in asset.flags


def test_declared_language_outside_every_label_set_is_unverifiable_not_a_mismatch():
    text = "Wakulima wa kahawa wanasema mvua za mwaka huu zimechelewa sana.\n"
    asset = profile_asset(text.encode(), ProfileOptions(declared_languages=("ee",)))

    row = asset.language("ee")
    assert row is not None
    assert (row.status, row.ci95_documents) == ("unverifiable", None)
    assert "language_mismatch" not in asset.flags
    assert "declared_languages_unverifiable" in asset.flags


def test_declared_language_inside_the_label_sets_but_not_found_is_a_mismatch():
    text = "Wakulima wa kahawa wanasema mvua za mwaka huu zimechelewa sana.\n" * 1
    asset = profile_asset(text.encode(), ProfileOptions(declared_languages=("yo",)))

    assert asset.language("yo").status == "absent"
    assert "language_mismatch" in asset.flags


def test_absent_language_gets_an_upper_bound_when_sampled():
    lines = [
        f"Habari ya leo namba {i}. Wakulima wa kahawa katika mkoa wa Kilimanjaro wanasema mvua "
        "za mwaka huu zimechelewa sana, na bei ya mbolea imepanda."
        for i in range(300)
    ]
    options = ProfileOptions(sample_size=50, declared_languages=("sw", "am"))

    asset = profile_asset("\n".join(lines).encode(), options)

    row = asset.language("am")
    assert (row.status, row.share_documents) == ("absent", 0.0)
    assert 0.0 < row.ci95_documents[1] < 0.1
    assert asset.language("sw").share_documents == 1.0


def test_short_documents_are_not_labelled():
    asset = profile_asset(b"Habari yako\nNzuri sana\n")

    assert asset.totals.too_short_documents == 2
    assert asset.languages == ()


def test_mixed_document_is_split_into_segments():
    sw = "Wakulima wa kahawa katika mkoa wa Kilimanjaro wanasema mvua za mwaka huu zimechelewa. "
    en = "The county council has promised to build a new clinic near the fish market next year. "
    text = sw * 2 + "\n" + en * 2 + "\n"

    asset = profile_asset(text.replace("\n", " ").encode())

    assert asset.totals.mixed_documents == 1
    assert {r.language for r in asset.languages} == {"sw", "en"}
    assert sum(r.characters for r in asset.languages) == asset.totals.characters


def test_detectors_are_recorded_with_versions_seed_and_label_sets():
    asset = profile_asset(b"The river runs past the old mill and the children swim there.\n")

    names = {d["name"]: d for d in asset.detectors}
    assert set(names) == {
        "unicode-script",
        "pycld2",
        "langdetect",
        "fasttext-lid.176",
        "wordfreq-lexicon",
    }
    assert names["langdetect"]["version"] == "1.0.9"
    assert names["langdetect"]["seed"] == 0
    assert len(names["langdetect"]["labels"]) == 55
    assert "yo" in names["pycld2"]["labels"]
    assert len(names["fasttext-lid.176"]["labels"]) == 176
    assert {"it", "ru", "de"} <= set(names["wordfreq-lexicon"]["labels"])


# --- flags of a whole asset --------------------------------------------------------------------

SWAHILI = (
    "Wakulima wa kahawa katika mkoa wa Kilimanjaro wanasema mvua za mwaka huu zimechelewa sana, "
    "na bei ya mbolea imepanda kwa mara ya pili.\n"
)
URDU = (
    "پاکستان کے شہر لاہور میں آج بارش ہوئی اور لوگ گھروں میں رہے۔ "
    "بچوں نے اسکول میں نئی کتابیں پڑھیں اور اساتذہ نے ان کی تعریف کی۔\n"
)
ZULU = (
    "Abafundi besikole samabanga aphezulu bafunde izincwadi ezintsha ngolimi lwabo lwebele, "
    "futhi othisha bathi imiphumela izoba mihle kakhulu kulo nyaka.\n"
)


def test_unverifiable_language_beside_a_verifiable_one_is_flagged_with_a_warning():
    asset = profile_asset(SWAHILI.encode() * 3, ProfileOptions(declared_languages=("sw", "ee")))

    assert asset.language("sw").status == "detected"
    ewe = asset.language("ee")
    assert ewe.status == "unverifiable"
    assert "close relative" in ewe.caveat
    assert "declared_languages_unverifiable" in asset.flags
    assert "language_mismatch" not in asset.flags


@pytest.mark.parametrize(
    ("text", "declared"),
    [
        (URDU, "ks"),  # Kashmiri: not measured on the calibration set, read as Urdu
        (ZULU, "nr"),  # South Ndebele: counted in the Zulu group
        (SWAHILI, "ku"),  # Kurmanji: the detectors named none of its calibration text right
    ],
)
def test_no_mismatch_without_evidence_for_the_declared_language(text, declared):
    asset = profile_asset(text.encode() * 3, ProfileOptions(declared_languages=(declared,)))

    assert "language_mismatch" not in asset.flags
    row = asset.language(declared)
    assert row is not None
    if row.status == "absent":
        assert "weak evidence" in row.caveat


def test_mismatch_on_evidence_a_measured_language_absent_and_another_found():
    asset = profile_asset(SWAHILI.encode() * 3, ProfileOptions(declared_languages=("yo",)))

    assert asset.language("yo").status == "absent"
    assert asset.language("yo").caveat == ""
    assert "language_mismatch" in asset.flags


def test_a_small_confusable_group_share_is_not_flagged():
    malay = "Selamat pagi, apa khabar? Saya hendak pergi ke pasar untuk membeli ikan dan sayur.\n"
    asset = profile_asset((SWAHILI * 40 + malay).encode(), ProfileOptions(sample_size=1000))

    group = next(r for r in asset.languages if r.status == "group")
    assert group.share_documents < 0.05
    assert "confusable_group" not in asset.flags


def test_a_fully_labelled_asset_is_a_census_with_the_detector_range_beside_it():
    asset = profile_asset(SWAHILI.encode() * 5, ProfileOptions(declared_languages=("sw",)))

    row = asset.language("sw")
    assert (row.estimate, row.ci95_documents) == ("census", (1.0, 1.0))
    precision = thresholds().rates["sw"][1]
    assert row.detector_range_documents == (round(precision, 6), 1.0)


def _paragraphs(code: str, count: int) -> list[str]:
    sentences = (
        shared_data("langid", "sentences", f"{code}.txt").read_text(encoding="utf-8").splitlines()
    )
    out: list[str] = []
    current = ""
    for sentence in sentences:
        current = f"{current} {sentence}".strip()
        if len(current) >= 100:
            out.append(current)
            current = ""
    return random.Random(0).sample(out, min(count, len(out)))


def test_accuracy_on_labelled_paragraphs_of_60_languages(ident):
    """Development data (the cascade's structure was tuned on it, its thresholds were not):
    >= 93% right over the languages langdetect knows and over all 60 (94.0% and 94.2% measured:
    the rest abstains), <= 1% of paragraphs of other languages given to a wrong language (0%)."""
    folder = shared_data("langid", "sentences")
    truth_tags = {"sr": "sr-Cyrl", "tl": "fil", "zh": "zh-Hans"}
    langdetect_tags = set(ident.langdetect.labels.values())
    right = {"known": 0, "all": 0}
    seen = {"known": 0, "all": 0, "other": 0}
    misattributed = 0
    for path in sorted(folder.glob("*.txt")):
        truth = truth_tags.get(path.stem, path.stem)
        known = truth in langdetect_tags
        for paragraph in _paragraphs(path.stem, 100):
            tag = ident.identify(paragraph).tag
            correct = truth in (group_of(tag) or (tag,))
            right["all"] += correct
            seen["all"] += 1
            if known:
                right["known"] += correct
                seen["known"] += 1
            else:
                seen["other"] += 1
                misattributed += not correct and not tag.startswith("und")

    assert len(list(folder.glob("*.txt"))) == 60
    assert right["known"] / seen["known"] >= 0.93
    assert right["all"] / seen["all"] >= 0.93
    assert misattributed / seen["other"] <= 0.01
