"""User stories for importing raw Arabic news text (app.services.news_text).

Expected values come from reading the seed files as an editor would: what
is the headline, which lines are subheadings, captions and credits, and
which residue must never reach the corpus.
"""

import datetime
import unicodedata
from pathlib import Path

import pytest

from app.services.news_text import (
    ParsedArticle,
    UnreadableText,
    parse_arabic_date,
    parse_news_text,
    to_western_digits,
)

SEEDS = Path(__file__).resolve().parents[1] / "seeds"
TASS_TURKMENISTAN = "000_87e300d100e4e0f3.txt"
TASNIM_KAZAKHSTAN = "001_7041dd07729f8eff.txt"
TASS_CIS_SUMMIT = "002_85e608226b6767da.txt"
BRICS_DUSHANBE = "003_485b6200d77c6dfc.txt"
TASS_TAJIKISTAN = "004_e58cfb67f5e5646e.txt"
ALL_SEEDS = [
    TASS_TURKMENISTAN,
    TASNIM_KAZAKHSTAN,
    TASS_CIS_SUMMIT,
    BRICS_DUSHANBE,
    TASS_TAJIKISTAN,
]

RESIDUE = ["Ru En", "text-align", "![", "](", "=”", '">', "\u00a0", "\ufeff"]


def parse_seed(name: str) -> ParsedArticle:
    return parse_news_text((SEEDS / name).read_bytes())


def expected_kinds(count: int, **positions: list[int]) -> list[str]:
    """All "body" except the listed positions, e.g. title=[0, 9]."""
    kinds = ["body"] * count
    for kind, indexes in positions.items():
        for index in indexes:
            kinds[index] = kind
    return kinds


def kinds_of(article: ParsedArticle) -> list[str]:
    return [p.kind for p in article.paragraphs]


def texts_of(article: ParsedArticle, kind: str) -> list[str]:
    return [p.text for p in article.paragraphs if p.kind == kind]


# --- the five seed articles -------------------------------------------------


def test_tass_article_has_title_date_source_and_credits():
    article = parse_seed(TASS_TURKMENISTAN)

    assert article.title == (
        "روسيا وتركمانستان تعملان على تطوير التعاون باستخدام إمكانات "
        '"الاتحاد الاقتصادي الأوراسي"'
    )
    assert article.published == datetime.date(2022, 6, 10)
    assert article.source == "تاس"
    assert len(article.paragraphs) == 36
    assert kinds_of(article) == expected_kinds(
        36, title=[0, 9, 13, 16, 20, 25], credit=[33, 34, 35]
    )
    assert texts_of(article, "title")[1:] == [
        "التعاون في قضايا الأمن البيولوجي",
        "الخبرة الطبية",
        "التعاون في تطوير حقول النفط والغاز",
        "التعاون في مجال الطيران المدني",
        "اجتماعات رؤساء روسيا وتركمانستان",  # had a leading no-break space
    ]
    assert texts_of(article, "credit") == [
        'مجموعة الرؤية الاستراتيجية "روسيا - العالم الإسلامي"',
        "الصورة: مجلس الاتحاد الروسي",
        "المصدر: تاس",
    ]
    assert article.paragraphs[1].text.startswith("اعتبر رئيسا روسيا وتركمانستان")
    assert "removed language switcher line 'Ru En'" in article.notes
    assert "date 2022-06-10 taken from line 5" in article.notes


def test_tasnim_article_without_date_takes_source_from_barred_credit():
    article = parse_seed(TASNIM_KAZAKHSTAN)

    assert article.title == "وشدد بوتين على أهمية السلام والاستقرار والأمن في منطقة أوراسيا"
    # The body mentions "9 نوفمبر" and "14 سبتمبر"; neither is the publication date.
    assert article.published is None
    assert article.source == "وكالة تسنيم للأنباء"
    assert len(article.paragraphs) == 20
    assert kinds_of(article) == expected_kinds(20, title=[0, 12], credit=[19])
    # The subheading arrived glued to an HTML attribute fragment.
    assert article.paragraphs[12].text == "أهمية تعزيز الاتجاهات الموحدة في منطقة آسيا الوسطى"
    # The web separators are gone: the end of paragraph 2 and the credit's bars.
    assert article.paragraphs[1].text.endswith("احترام التنوع الثقافي.")
    assert article.paragraphs[19].text == "مصدر: وكالة تسنيم للأنباء"
    assert not [p.text for p in article.paragraphs if "|" in p.text]
    assert "removed 1 HTML residue" in article.notes
    assert "removed 3 web separators (|)" in article.notes


def test_tass_summit_article_with_misspelt_footer_and_inline_no_break_spaces():
    article = parse_seed(TASS_CIS_SUMMIT)

    assert article.title == (
        "بوتين يبحث مع قادة رابطة الدول المستقلة القضايا الأمنية والتعاون الاقتصادي"
    )
    assert article.published == datetime.date(2022, 10, 14)
    assert article.source == "تاس"
    assert len(article.paragraphs) == 26
    assert kinds_of(article) == expected_kinds(
        26, title=[0, 9, 15, 20], credit=[23, 24, 25]
    )
    assert texts_of(article, "title")[1:] == [
        "الهياكل الجديدة في رابطة الدول المستقلة",
        "روسيا - آسيا الوسطى",
        "الاجتماعات السابقة",
    ]
    assert texts_of(article, "credit") == [
        'مجموعة الرؤية الإستراتيجة "روسيا - العالم الإسلامي"',
        "الصورة: الموقع الرسمي للرئيس الروسي",
        "المصدر: تاس",
    ]
    # "حلّت\xa0في7" and "اجتماع\xa0 آخر" become single plain spaces.
    assert "إذ حلّت في7 أكتوبر" in article.paragraphs[2].text
    assert "سيُعقد اجتماع آخر بصيغة" in article.paragraphs[16].text


def test_brics_article_has_photo_captions_and_menu_footer_but_no_source():
    article = parse_seed(BRICS_DUSHANBE)

    assert article.title == "قادة دول آسيا الوسطى وروسيا يتبنون خطة عمل مشتركة حتى عام 2027"
    assert article.published is None
    assert article.source is None  # only a photo credit, which is not the source
    assert len(article.paragraphs) == 18
    assert kinds_of(article) == expected_kinds(
        18, title=[0], caption=[5, 9, 12], credit=[14, 15, 16, 17]
    )
    assert texts_of(article, "caption") == [
        "فلاديمير بوتين رئيس روسيا الاتحادية",
        "قاسم جومارت توكاييف رئيس كازاخستان",
        "شوكت ميرضيائيف رئيس أوزبكستان",
    ]
    assert texts_of(article, "credit") == [
        "مصدر الصورة: المكتب الصحفي لرئاسة طاجيكستان",
        "DIGITAL WORLD",
        "مركز بريكس+ الإعلامي",
        "MODERN RUSSIAN",
    ]
    # The quote keeps its closing quotation mark once the image marker is gone.
    assert article.paragraphs[4].text.endswith('والأنهار العابرة للحدود"')
    assert "removed 3 image markers" in article.notes


def test_tass_lavrov_article_keeps_quotes_and_drops_no_break_spaces():
    article = parse_seed(TASS_TAJIKISTAN)

    assert article.title == "لافروف يصف العلاقات بين روسيا وطاجيكستان بأنها مثال للشراكة والتحالف"
    assert article.published == datetime.date(2022, 9, 14)
    assert article.source == "تاس"
    assert len(article.paragraphs) == 19
    assert kinds_of(article) == expected_kinds(19, title=[0, 8, 13], credit=[16, 17, 18])
    assert texts_of(article, "title")[1:] == [
        "تطوير التعاون في مجالات التجارة والاقتصاد",
        "التعاون الأمني",
    ]
    assert '"خوفار" قال وزير الخارجية الروسي' in article.paragraphs[2].text
    assert "أشار الوزيرلافروف إلى أن" in article.paragraphs[9].text


@pytest.mark.parametrize("name", ALL_SEEDS)
def test_no_residue_reaches_the_corpus(name):
    article = parse_seed(name)

    assert article.title == article.paragraphs[0].text
    assert article.paragraphs[0].kind == "title"
    for paragraph in article.paragraphs:
        text = paragraph.text
        assert paragraph.kind in {"title", "body", "caption", "credit"}
        assert text.strip() == text and text
        assert "  " not in text
        assert unicodedata.normalize("NFC", text) == text
        for residue in RESIDUE:
            assert residue not in text, (residue, text)


@pytest.mark.parametrize("name", ALL_SEEDS)
def test_windows_and_old_mac_files_with_bom_parse_like_the_original(name):
    original = (SEEDS / name).read_bytes()
    expected = parse_news_text(original)

    for line_end in (b"\r\n", b"\r"):
        article = parse_news_text(b"\xef\xbb\xbf" + original.replace(b"\n", line_end))
        assert article.title == expected.title
        assert article.published == expected.published
        assert article.source == expected.source
        assert article.paragraphs == expected.paragraphs
        assert "removed UTF-8 byte order mark" in article.notes


# --- small synthetic articles -----------------------------------------------


def test_decomposed_arabic_comes_out_nfc():
    # "أهمية" and "إطار" written with alef + combining hamza (U+0654 / U+0655).
    raw = (
        "En Ar Ru\n"
        "بوتين يؤكد \u0627\u0654همية التعاون\n"
        "قال الرئيس في \u0627\u0655طار القمة إن التعاون مهم.\n"
    ).encode()

    article = parse_news_text(raw)

    assert article.title == "بوتين يؤكد \u0623همية التعاون"
    assert article.paragraphs[1].text == "قال الرئيس في \u0625طار القمة إن التعاون مهم."
    for paragraph in article.paragraphs:
        assert unicodedata.normalize("NFC", paragraph.text) == paragraph.text
    assert "removed language switcher line 'En Ar Ru'" in article.notes


def test_html_tags_and_styled_attribute_residue_are_removed():
    raw = (
        'عنوان الخبر\n'
        '<p style="text-align:right">قال المتحدث إن الاجتماع ناجح.</p>\n'
        'class="a" style="color:red">وأضاف أن المحادثات ستستمر.\n'
    ).encode()

    article = parse_news_text(raw)

    assert [p.text for p in article.paragraphs] == [
        "عنوان الخبر",
        "قال المتحدث إن الاجتماع ناجح.",
        "وأضاف أن المحادثات ستستمر.",
    ]
    assert "removed 3 HTML residues" in article.notes


def test_date_line_far_down_the_article_is_not_the_publication_date():
    raw = "\n".join(
        ["عنوان", "فقرة أولى.", "فقرة ثانية.", "فقرة ثالثة.", "فقرة رابعة.", "١٠ يونيو ٢٠٢٢"]
    ).encode()

    article = parse_news_text(raw)

    assert article.published is None
    assert article.paragraphs[-1].text == "١٠ يونيو ٢٠٢٢"


def test_short_closing_line_without_a_credit_stays_body():
    raw = "عنوان الخبر\nقال المتحدث إن الاجتماع ناجح.\nانتهى الاجتماع مساء\n".encode()

    assert kinds_of(parse_news_text(raw)) == ["title", "body", "body"]


# --- refusals ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "max_bytes", "reason"),
    [
        (b"", 1000, "file is empty"),
        (b"\xef\xbb\xbf", 1000, "file is empty"),
        (" \n\t\r\n\u00a0\n".encode(), 1000, r"file is empty \(it contains only whitespace\)"),
        ("خبر عاجل من موسكو".encode(), 10, r"file is larger than 10 bytes \(it is 31 bytes\)"),
        ("خبر".encode() + b"\x00\x00", 1000, r"file looks binary \(contains NUL bytes\)"),
        ("خبر".encode() + bytes(range(1, 9)) * 4, 1000, "file looks binary"),
        ("نص".encode() + b"\xff", 1000, r"not valid UTF-8 text \(invalid byte at offset 4\)"),
        (b"Moscow news in English only.\nNo Arabic here.", 1000, "file contains no Arabic text"),
        ("Ru En\n١٠ يونيو ٢٠٢٢\n".encode(), 1000, "no article text after cleaning"),
    ],
    ids=[
        "empty",
        "only-bom",
        "whitespace-only",
        "too-big",
        "nul-bytes",
        "control-characters",
        "invalid-utf8",
        "latin-only",
        "only-switcher-and-date",
    ],
)
def test_unreadable_files_are_refused_with_a_clear_reason(raw, max_bytes, reason):
    with pytest.raises(UnreadableText, match=reason) as refused:
        parse_news_text(raw, max_bytes=max_bytes)
    assert isinstance(refused.value, ValueError)


def test_default_limit_is_two_megabytes_checked_before_decoding():
    too_big = b"\xff" * (2 * 1024 * 1024 + 1)  # not UTF-8 either: size wins

    with pytest.raises(UnreadableText, match="larger than 2,097,152 bytes"):
        parse_news_text(too_big)
    with pytest.raises(UnreadableText, match=r"larger than 2\.0 MB \(it is 3\.0 MB\)"):
        parse_news_text(b"x" * (3 * 1024 * 1024))


# --- dates and digits ---------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("١٠ يونيو ٢٠٢٢", datetime.date(2022, 6, 10)),  # Egypt/Gulf
        ("١٤ أكتوبر ٢٠٢٢", datetime.date(2022, 10, 14)),
        ("5 ابريل 2019", datetime.date(2019, 4, 5)),  # without hamza
        ("3 يونيه 2021", datetime.date(2021, 6, 3)),
        ("٥ كانون الثاني ٢٠٢٣", datetime.date(2023, 1, 5)),  # Levant
        ("1 تشرين الأول 2021", datetime.date(2021, 10, 1)),
        ("20 آب 2020", datetime.date(2020, 8, 20)),
        ("14 جويلية 2022", datetime.date(2022, 7, 14)),  # Maghreb
        ("3 أوت 2020", datetime.date(2020, 8, 3)),
        ("9 فيفري 2024", datetime.date(2024, 2, 9)),
        ("10 يونيو 2022", datetime.date(2022, 6, 10)),  # Western digits
        ("۱۴ سبتمبر ۲۰۲۲", datetime.date(2022, 9, 14)),  # Eastern Arabic-Indic
        ("10 يونيو/حزيران 2022", datetime.date(2022, 6, 10)),
        ("22 فبراير (شباط) 2022", datetime.date(2022, 2, 22)),
        ("\u00a0١٠ يونيو ٢٠٢٢م", datetime.date(2022, 6, 10)),
        ("31 فبراير 2022", None),  # no such day
        ("٣١ فبراير ٢٠٢٢", None),
        ("10 يونيو/تموز 2022", None),  # the two month names disagree
        ("اليوم الجمعة 10 يونيو 2022 في موسكو", None),  # a sentence, not a date line
        ("10 June 2022", None),
        ("", None),
    ],
)
def test_parse_arabic_date(text, expected):
    assert parse_arabic_date(text) == expected


def test_to_western_digits_handles_both_arabic_digit_sets():
    assert to_western_digits("٠١٢٣٤٥٦٧٨٩") == "0123456789"
    assert to_western_digits("۰۱۲۳۴۵۶۷۸۹") == "0123456789"
    assert to_western_digits("عام ٢٠٢٢ و۱۴۰۱ و2023") == "عام 2022 و1401 و2023"
