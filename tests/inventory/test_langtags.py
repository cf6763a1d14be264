import pytest

from inventory.langtags import InvalidLanguageTag, normalize


@pytest.mark.parametrize(
    ("value", "tag"),
    [
        ("zh-cn", "zh-Hans"),
        ("zh-CN", "zh-Hans"),
        ("zh-tw", "zh-Hant"),
        ("zh", "zh-Hans"),
        ("zh-Hans-CN", "zh-Hans"),
        ("zh_Hant", "zh-Hant"),
        ("iw", "he"),
        ("tl", "fil"),
        ("in", "id"),
        ("sh", "sr-Latn"),
        ("mo", "ro"),
        ("sr", "sr-Cyrl"),
        ("sr-Latn", "sr-Latn"),
        ("sr-Cyrl", "sr-Cyrl"),
        ("pa", "pa-Guru"),
        ("pa-Guru", "pa-Guru"),
        ("pa-Arab", "pa-Arab"),
        ("pa_Arab", "pa-Arab"),
        ("ms-Arab", "ms-Arab"),
        ("ha-Latn", "ha"),
        ("en-GB", "en"),
        ("es-419", "es"),
        ("EN", "en"),
        ("  sw ", "sw"),
        ("eng", "en"),
        ("swa", "sw"),
        ("yor", "yo"),
        ("pcm", "pcm"),
        ("und", "und"),
        ("und-Ethi", "und-Ethi"),
    ],
)
def test_tags_normalise_to_the_canonical_form(value: str, tag: str) -> None:
    assert normalize(value).tag == tag


@pytest.mark.parametrize(
    ("individual", "joined"),
    [("zsm", "ms"), ("swh", "sw"), ("cmn", "zh-Hans"), ("arb", "ar"), ("ekk", "et")],
)
def test_individual_languages_join_their_macrolanguage_and_keep_the_original(
    individual: str, joined: str
) -> None:
    result = normalize(individual)

    assert result.tag == joined
    assert result.original == individual
    assert result.individual.split("-")[0] == individual
    assert result.folded is True


def test_cantonese_is_not_folded_into_chinese() -> None:
    assert normalize("yue").tag == "yue"
    assert normalize("yue").folded is False


@pytest.mark.parametrize("value", ["no", "nb", "NO", "nb-NO", "no-NO"])
def test_norwegian_and_bokmal_are_one_language(value: str) -> None:
    assert normalize(value).tag == "nb"


def test_nynorsk_stays_apart_from_bokmal() -> None:
    assert normalize("nn").tag == "nn"


@pytest.mark.parametrize(
    ("detector_code", "tag"),
    [("zh-cn", "zh-Hans"), ("zh-tw", "zh-Hant"), ("no", "nb"), ("tl", "fil"), ("he", "he")],
)
def test_langdetect_codes_normalise(detector_code: str, tag: str) -> None:
    assert normalize(detector_code).tag == tag


@pytest.mark.parametrize("value", ["xx-invalid", "xx", "english", "ab-cd-ef", "12", "zz"])
def test_unknown_tags_are_rejected_naming_the_value(value: str) -> None:
    with pytest.raises(InvalidLanguageTag, match=f"'{value}'"):
        normalize(value)


@pytest.mark.parametrize("value", ["", "   "])
def test_empty_tags_are_rejected(value: str) -> None:
    with pytest.raises(InvalidLanguageTag, match="empty language tag"):
        normalize(value)
