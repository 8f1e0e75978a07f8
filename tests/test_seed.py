"""The seed article is the one we were given, byte for byte, with the editor's facts beside it."""

import datetime as dt
import hashlib
import shutil

import pytest

from explainer.errors import InputError
from explainer.paths import PROJECT_ROOT, SEEDS_DIR
from explainer.seed import load_article

SEED_NAME = "000_25aa02f157537d21.txt"
# Recorded when the seed was first copied in; the shared copy, when present, must agree too.
SEED_SHA256 = "02a32e09de393a41fb16291ce1d4c8bfaf6bc295729e78cdfa2070667aa30e27"


def sha256(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_seed_is_the_article_we_were_given():
    assert sha256(SEEDS_DIR / SEED_NAME) == SEED_SHA256


def test_seed_is_byte_identical_to_the_shared_copy():
    shared = PROJECT_ROOT.parent / "shared" / "seeds" / SEED_NAME
    if not shared.exists():  # a clone elsewhere: the recorded checksum above still holds it to the original
        pytest.skip(f"no shared copy at {shared}")
    assert sha256(SEEDS_DIR / SEED_NAME) == sha256(shared)


def test_metadata_describes_the_article():
    article = load_article()
    assert article.path.name == SEED_NAME
    assert article.outlet == "Rudaw" and article.edition == "English"
    assert article.dateline == "Erbil, Kurdistan Region"
    assert article.headline == article.text.split("\n")[0]
    assert article.reference_date == dt.date(2021, 7, 26)
    assert article.reference_date.strftime("%A") == "Monday"  # the text says "on Monday"
    assert article.reference_date_source == "supplied by the editor"


def test_sentences_cover_the_text_in_order():
    article = load_article()
    ends = [(s.start, s.end) for s in article.sentences]
    assert ends == sorted(ends)
    assert all(article.text[s.start : s.end] == s.text for s in article.sentences)
    # "Gen. Qasem" does not end a sentence
    assert any("Gen. Qasem Soleimani in Baghdad in January 2020." in s.text for s in article.sentences)


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda b: b"\xef\xbb\xbf" + b, "byte-order mark"),
        (lambda b: b.replace(b"\n", b"\r\n"), "CRLF"),
        (lambda b: b.replace(b"Erbil".upper(), b"\xff\xfe"), "invalid UTF-8"),
    ],
)
def test_damaged_seed_is_refused_naming_file_and_line(annotations_copy, damage, message):
    seed = annotations_copy / "seeds" / SEED_NAME
    seed.write_bytes(damage(seed.read_bytes()))
    with pytest.raises(InputError, match=message) as error:
        load_article(annotations_copy / "seeds" / "article.yml")
    assert error.value.path.endswith(SEED_NAME)
    assert error.value.line in (1, 2)


def test_missing_seed_is_refused(annotations_copy):
    (annotations_copy / "seeds" / SEED_NAME).unlink()
    with pytest.raises(InputError, match="file not found"):
        load_article(annotations_copy / "seeds" / "article.yml")


def test_missing_metadata_is_refused(annotations_copy):
    shutil.move(annotations_copy / "seeds" / "article.yml", annotations_copy / "article.yml.bak")
    with pytest.raises(InputError, match=r"article\.yml: file not found"):
        load_article(annotations_copy / "seeds" / "article.yml")


def test_unknown_metadata_key_names_the_line(annotations_copy):
    path = annotations_copy / "seeds" / "article.yml"
    path.write_text(path.read_text() + "publisher_colour: red\n")
    with pytest.raises(InputError, match="unknown key 'publisher_colour'"):
        load_article(path)
