"""PDF documents: page numbers on lines, passages and objectives; encrypted and corrupt files refused clearly.

The PDFs are built here with fpdf2 and its core Helvetica font, so all text is latin-1.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from fpdf import FPDF

from corpus.loaders import load_document
from corpus.structure import parse_document
from pns.errors import CorpusError
from tests.corpus.conftest import doc_info


def build_pdf(path: Path, pages: list[list[str]], user_password: str | None = None) -> Path:
    """One text line per 8 mm cell; an empty string adds vertical space.

    The loader reads pages in pypdf's layout mode, which keeps vertical gaps: cells 8 mm apart at 11 pt stand far
    enough apart to read as paragraphs, so a blank line separates them.
    """
    pdf = FPDF()
    if user_password is not None:
        pdf.set_encryption(owner_password="owner", user_password=user_password)
    pdf.set_font("Helvetica", size=11)
    for lines in pages:
        pdf.add_page()
        for line in lines:
            if line:
                pdf.cell(0, 8, line, new_x="LMARGIN", new_y="NEXT")
            else:
                pdf.ln(8)
    pdf.output(str(path))
    return path


THREE_PAGES = [
    ["Partie 1: Introduction", "Le plan commence ici."],
    ["Partie 2: Objectifs", "Le deuxième chapitre décrit les objectifs."],
    ["Partie 3: Suivi", "Le suivi est annuel."],
]


def test_pdf_lines_know_their_page(tmp_path: Path) -> None:
    lines = load_document(build_pdf(tmp_path / "doc.pdf", THREE_PAGES))
    # A page that ends a sentence starts with a blank line: the next page may start a new paragraph.
    assert [(line.text, line.location.line_start, line.location.page) for line in lines] == [
        ("Partie 1: Introduction", 1, 1),
        ("", 2, 1),
        ("Le plan commence ici.", 3, 1),
        ("", 4, 2),
        ("Partie 2: Objectifs", 5, 2),
        ("", 6, 2),
        ("Le deuxième chapitre décrit les objectifs.", 7, 2),
        ("", 8, 3),
        ("Partie 3: Suivi", 9, 3),
        ("", 10, 3),
        ("Le suivi est annuel.", 11, 3),
    ]
    # Character offsets run over the pages' texts joined by one separator.
    assert [(line.location.char_start, line.location.char_end) for line in lines[:5]] == [
        (0, 22), (23, 23), (24, 45), (46, 46), (47, 66)]


def test_pdf_passages_are_labelled_with_pages(tmp_path: Path) -> None:
    lines = load_document(build_pdf(tmp_path / "doc.pdf", THREE_PAGES))
    plan = parse_document(doc_info(file="doc.pdf"), lines, [])
    assert [(p.id, p.path, p.text, p.location.page, p.location.label()) for p in plan.passages] == [
        ("TST-P1-1", ("Partie 1: Introduction",), "Le plan commence ici.", 1, "p. 1"),
        ("TST-P2-1", ("Partie 2: Objectifs",), "Le deuxième chapitre décrit les objectifs.", 2, "p. 2"),
        ("TST-P3-1", ("Partie 3: Suivi",), "Le suivi est annuel.", 3, "p. 3"),
    ]


PLAN_PAGES = [
    ["Partie 2: Phénomènes de sécurité", "B. Phénomènes de sécurité", "",
     "1. CYBERCRIME ET CYBERSECURITY", "", "Organiser des mesures coordonnées.", "",
     "1. Mieux lutter contre la criminalité.", "2. Assurer des enquêtes de qualité."],
    ["3. Réaliser une image du phénomène.", "", "2. ENVIRONNEMENT", "", "Protéger l'environnement.", "",
     "1. Protéger la santé publique."],
    ["2. Renforcer le bien-être des animaux.", "", "Partie 3: Suivi", "", "Le suivi est annuel."],
]


def test_plan_shaped_pdf_gives_objectives_with_pages(tmp_path: Path) -> None:
    lines = load_document(build_pdf(tmp_path / "plan.pdf", PLAN_PAGES))
    plan = parse_document(doc_info(file="plan.pdf"), lines, [])
    assert [(o.id, o.path, o.text, o.location.line_start, o.location.label()) for o in plan.objectives] == [
        ("TST-B1-1", ("B1 Cybercrime et cybersecurity",), "Mieux lutter contre la criminalité.", 9, "p. 1"),
        ("TST-B1-2", ("B1 Cybercrime et cybersecurity",), "Assurer des enquêtes de qualité.", 11, "p. 1"),
        ("TST-B1-3", ("B1 Cybercrime et cybersecurity",), "Réaliser une image du phénomène.", 13, "p. 2"),
        ("TST-B2-1", ("B2 Environnement",), "Protéger la santé publique.", 19, "p. 2"),
        ("TST-B2-2", ("B2 Environnement",), "Renforcer le bien-être des animaux.", 21, "p. 3"),
    ]
    assert [(p.id, p.kind, p.location.label()) for p in plan.passages if p.kind != "objective"] == [
        ("TST-B1-goal", "goal", "p. 1"), ("TST-B2-goal", "goal", "p. 2"), ("TST-P3-1", "prose", "p. 3")]
    assert plan.report.recognised is True
    assert plan.report.warnings == []


def test_objective_wrapped_across_a_page_break_keeps_its_first_page(tmp_path: Path) -> None:
    # Longer than a sub-heading can be (120 characters), so the line on the next page continues it.
    first = ("1. Améliorer l'encodage dans la Banque de données nationale générale des documents d'identité "
             "et de voyage perdus ou volés et")
    assert len(first) - 3 > 120
    pdf = FPDF()
    pdf.set_font("Helvetica", size=7)
    for lines in (["B. Phénomènes", "1. CYBERCRIME", "But du thème.", first],
                  ["assurer leur exportation rapide.", "2. Deux."]):
        pdf.add_page()
        for line in lines:
            pdf.cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(tmp_path / "wrap.pdf"))
    plan = parse_document(doc_info(file="wrap.pdf"), load_document(tmp_path / "wrap.pdf"), [])
    rows = [(o.id, o.text, o.location.line_start, o.location.line_end, o.location.label())
            for o in plan.objectives]
    assert rows == [
        ("TST-B1-1", first[3:] + " assurer leur exportation rapide.", 7, 8, "p. 1"),
        ("TST-B1-2", "Deux.", 10, 10, "p. 2"),
    ]


def test_encrypted_pdf_is_refused(tmp_path: Path) -> None:
    path = build_pdf(tmp_path / "secret.pdf", [["Texte confidentiel."]], user_password="secret")
    with pytest.raises(CorpusError, match=r"secret\.pdf: the PDF is encrypted; provide a decrypted copy"):
        load_document(path)


def test_pdf_with_empty_user_password_is_read(tmp_path: Path) -> None:
    path = build_pdf(tmp_path / "owner.pdf", [["Texte lisible."]], user_password="")
    assert [line.text for line in load_document(path)] == ["Texte lisible."]


def test_corrupt_pdf_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "broken.pdf"
    path.write_bytes(os.urandom(2048))
    with pytest.raises(CorpusError, match=r"broken\.pdf: unreadable PDF \(.+\); check the file is a valid PDF"):
        load_document(path)


def test_truncated_pdf_is_refused(tmp_path: Path) -> None:
    whole = build_pdf(tmp_path / "whole.pdf", THREE_PAGES).read_bytes()
    path = tmp_path / "truncated.pdf"
    path.write_bytes(whole[: len(whole) // 3])
    with pytest.raises(CorpusError, match=r"truncated\.pdf: (unreadable PDF|the PDF has no extractable text)"):
        load_document(path)


def test_pdf_without_text_is_refused(tmp_path: Path) -> None:
    path = build_pdf(tmp_path / "scan.pdf", [[]])
    with pytest.raises(CorpusError, match=r"scan\.pdf: the PDF has no extractable text \(scanned\?\); OCR it first"):
        load_document(path)


def test_plain_subheading_in_pdf_is_a_group(tmp_path: Path) -> None:
    pages = [["B. Phénomènes de sécurité", "", "1. TRAFIC ET TRAITE DES ÊTRES HUMAINS", "",
              "Déstabiliser les organisations criminelles.", "", "Traite des êtres humains", "",
              "1. Contribuer à la rédaction d'une brochure.", "", "Trafic des êtres humains", "",
              "1. Recourir à l'enquête financière."]]
    plan = parse_document(doc_info(file="groups.pdf"), load_document(build_pdf(tmp_path / "groups.pdf", pages)),
                          [])
    assert [(o.id, o.group) for o in plan.objectives] == [
        ("TST-B1.1-1", "Traite des êtres humains"), ("TST-B1.2-1", "Trafic des êtres humains")]
    assert plan.report.warnings == []
