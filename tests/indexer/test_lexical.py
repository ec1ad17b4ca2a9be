"""BM25 analysis and ranking, with expected scores computed by hand from the Lucene BM25 formula.

bm25s (method "lucene", k1 = 1.5, b = 0.75) scores a document d for query terms t as
    sum_t idf(t) * tf / (tf + k1 * (1 - b + b * |d| / avgdl)),   idf(t) = ln(1 + (N - df + 0.5) / (df + 0.5)).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from corpus.analysis import analyse, analyse_parts, analyse_query, compound_parts
from indexer.lexical import LexicalIndex


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        # elision "l'" removed, stopword "de"/"la" dropped, accents folded, French stemming
        ("L'approche administrative de la criminalité", "fr", ["approch", "administr", "criminalit"]),
        # the typographic apostrophe is folded to "'" first, so "d’informations" loses its elision too
        ("Sécurité routière et échange d’informations", "fr", ["securit", "routier", "echang", "inform"]),
        # "qu'" and "lorsqu'" elisions; what remains ("il", "elle") are stopwords
        ("qu'il lorsqu'elle", "fr", []),
        # the "œ" ligature becomes "oe"
        ("Œuvre", "fr", ["oeuvr"]),
        # single letters are dropped, single digits kept; "2016-2019" stays one token; ViCLAS is stemmed
        ("ViCLAS B4.2 2016-2019 a 5", "fr", ["vicl", "b4", "2", "2016-2019", "5"]),
        # Dutch stopwords and Dutch stemming
        ("De aanpak van de georganiseerde criminaliteit", "nl", ["aanpak", "organiseer", "criminaal"]),
        # English stopwords and English stemming
        ("The police officers are investigating cybercrime", "en",
         ["polic", "offic", "investig", "cybercrim"]),
    ],
)
def test_analyse_exact_tokens(text: str, lang: str, expected: list[str]) -> None:
    assert analyse(text, lang) == expected


def test_analyse_unknown_language_falls_back_to_french_stemming_without_stopwords() -> None:
    # No stopword list for "xx", so "la" stays; the stemmer is the French one ("criminalité" → "criminalit").
    assert analyse("la criminalité", "xx") == ["la", "criminalit"]


def test_analyse_query_unions_languages_in_order_without_duplicates() -> None:
    # French drops "la", and so does the English pass: a stopword of the question's language is not a content
    # word of another ("un" is not the English "UN", whose views say "UN sanctions").
    assert analyse_query("la police locale", ["fr", "en"]) == ["polic", "local"]
    assert analyse_query("un fichier ADN", ["fr", "en"]) == ["fichi", "adn", "fichier"]
    assert analyse_query("UN sanctions", ["en", "fr"]) == ["un", "sanction"]
    # Dutch keeps "politie", French stems it to "polit".
    assert analyse_query("politie", ["nl", "fr"]) == ["politie", "polit"]


def test_compound_parts_need_both_parts_known_and_a_compounding_language() -> None:
    assert compound_parts("wietplantages", "nl", {"wiet", "plantag"}) == ("wiet", "plantages")
    # A linking "s" between the parts: ontmanteling-s-methodologie.
    assert compound_parts("ontmantelingsmethodologie", "nl", {"ontmantel", "methodoloog"}) == (
        "ontmanteling", "methodologie")
    assert compound_parts("wietplantages", "nl", {"plantag"}) is None  # "wiet" unknown
    assert compound_parts("wietplantages", "fr", {"wiet", "plantag"}) is None  # French does not compound so
    assert compound_parts("overlast", "nl", {"over", "last"}) is None  # "over" is a stopword: never a part


def test_analyse_parts_adds_hyphen_pieces_and_known_compound_parts_after_the_plain_stems() -> None:
    assert analyse_parts("seksuele-agressieset", "nl") == ["seksuele-agressieset", "seksuel", "agressieset"]
    assert analyse_parts("seksuele-agressieset", "nl", {"agressie", "set"}) == [
        "seksuele-agressieset", "seksuel", "agressieset", "agressie", "set"]
    assert analyse_parts("Hoe worden die wietplantages opgerold", "nl", {"wiet", "plantag"}) == [
        "wietplantag", "oprol", "wiet", "plantag"]


def test_a_dutch_compound_finds_the_texts_of_its_parts() -> None:
    index = LexicalIndex.build(["Ontmanteling van illegale cannabisplantages.", "De wiet werd in beslag genomen.",
                                "Plantages en drugs."], ["nl", "nl", "nl"])
    assert index.search(analyse_query("wietplantages", ["nl"]), k=5) == []
    tokens = analyse_query("wietplantages", ["nl"], index.vocab)
    assert tokens == ["wietplantag", "wiet", "plantag"]
    assert [row for row, _ in index.search(tokens, k=5)] == [2, 1]


# Tokens after analysis (lengths in brackets; avgdl = 25 / 5 = 5):
# 0 [5] polic local lutt contr drogu
# 1 [7] drogu encor drogu polic federal sais drogu
# 2 [4] radar controlent vitess rout
# 3 [5] fraud fiscal cout cher etat
# 4 [4] polici form approch administr
CORPUS = [
    "La police locale lutte contre la drogue.",
    "La drogue et encore la drogue: la police fédérale saisit la drogue.",
    "Les radars contrôlent la vitesse sur les routes.",
    "La fraude fiscale coûte cher à l'État.",
    "Les policiers sont formés à l'approche administrative.",
]


@pytest.fixture(scope="module")
def lexical() -> LexicalIndex:
    return LexicalIndex.build(CORPUS, ["fr"] * len(CORPUS))


def test_search_one_term_exact_ranks_and_scores(lexical: LexicalIndex) -> None:
    hits = lexical.search(["drogu"], k=10)
    # idf(df 2) = ln(1 + 3.5 / 2.5) = ln 2.4; row 1: tf 3, |d| 7 → ln 2.4 * 3 / (3 + 1.5 * 1.3) = 0.5306;
    # row 0: tf 1, |d| 5 → ln 2.4 * 1 / (1 + 1.5) = 0.3502
    assert [row for row, _ in hits] == [1, 0]  # tf 3 beats tf 1; rows 2, 3 and 4 lack the term
    assert [round(score, 4) for _, score in hits] == [0.5306, 0.3502]


def test_search_two_terms_adds_per_term_scores(lexical: LexicalIndex) -> None:
    hits = lexical.search(["drogu", "polic"], k=10)
    # row 1: 0.5306 + ln(2.4) * 1 / 2.95 = 0.8274; row 0: 2 * 0.3502 = 0.7004
    assert [row for row, _ in hits] == [1, 0]
    assert [round(score, 4) for _, score in hits] == [0.8274, 0.7004]
    assert lexical.search(["drogu", "polic"], k=1) == hits[:1]


def test_stemming_keeps_policiers_apart_from_police(lexical: LexicalIndex) -> None:
    # "policiers" → "polici" (df 1, idf ln 4), only in row 4 (|d| 4): ln 4 / (1 + 1.5 * 0.85) = 0.6094
    hits = lexical.search(analyse("policiers", "fr"), k=10)
    assert [row for row, _ in hits] == [4]
    assert round(hits[0][1], 4) == 0.6094


def test_unknown_or_empty_query_finds_nothing(lexical: LexicalIndex) -> None:
    assert lexical.search(["inconnu"], k=5) == []
    assert lexical.search([], k=5) == []
    assert lexical.search([""], k=5) == []


def test_text_without_tokens_is_indexed_but_never_found() -> None:
    # Row 0 analyses to nothing (stopwords only) and is indexed as one empty token: N = 2, avgdl = 3 / 2.
    index = LexicalIndex.build(["le la les", "police locale"], ["fr", "fr"])
    hits = index.search(["polic"], k=5)
    # ln(1 + 1.5 / 1.5) * 1 / (1 + 1.5 * (0.25 + 0.75 * 2 / 1.5)) = ln 2 / 2.875
    assert [row for row, _ in hits] == [1]
    assert round(hits[0][1], 4) == 0.2411


def test_each_text_is_analysed_in_its_own_language() -> None:
    index = LexicalIndex.build(["De politie bestrijdt drugs.", "La police combat la drogue."], ["nl", "fr"])
    assert [row for row, _ in index.search(["politie"], k=5)] == [0]
    assert [row for row, _ in index.search(["polic"], k=5)] == [1]
    assert index.search(["polit"], k=5) == []  # the Dutch text was not stemmed as French


def test_languages_must_match_texts() -> None:
    with pytest.raises(ValueError):
        LexicalIndex.build(["a", "b"], ["fr"])


def test_save_load_round_trip(lexical: LexicalIndex, tmp_path: Path) -> None:
    lexical.save(tmp_path / "bm25")
    loaded = LexicalIndex.load(tmp_path / "bm25")
    for query in (["drogu"], ["drogu", "polic"], ["polici"], ["inconnu"]):
        assert loaded.search(query, k=10) == lexical.search(query, k=10)


def test_each_document_keeps_its_own_statistics() -> None:
    """A second document, long and full of the first one's words, leaves the first one's scores as they were."""
    first = ["Mieux lutter contre la criminalité informatique.", "Renforcer la police de proximité."]
    other = ["La police locale et la police fédérale luttent ensemble contre la criminalité."] * 3
    query = ["polic", "criminalit", "informat"]  # "police criminalité informatique", analysed as French
    alone = LexicalIndex.build(first, ["fr", "fr"], ["PNS16", "PNS16"])
    both = LexicalIndex.build(first + other, ["fr"] * 5, ["PNS16", "PNS16", "PNSF", "PNSF", "PNSF"])
    assert [round(float(x), 4) for x in alone.scores(query)] == [0.4984, 0.3124]
    assert [round(float(x), 4) for x in both.scores(query)] == [0.4984, 0.3124, 0.1297, 0.1297, 0.1297]
    # one pool of statistics for all five: "police" is common now, the first document's scores move
    pooled = LexicalIndex.build(first + other, ["fr"] * 5)
    assert [round(float(x), 4) for x in pooled.scores(query)[:2]] == [0.7427, 0.1512]
    assert both.num_docs == 5 and [row for row, _ in both.search(["informat"], k=5)] == [0]
    with pytest.raises(ValueError):
        LexicalIndex.build(first, ["fr", "fr"], ["PNS16"])
