"""A synthetic full-length plan PDF with the defects of a real government PDF, and what a reader should get from it.

The text is invented policy-style prose (French or Dutch), marked as synthetic on its cover; it reproduces no
official plan. The document has a cover, blank pages, a contents page with dot leaders and page numbers, running
headers (the document title on even pages, the chapter on odd pages) and page-number footers, numbered headings on
three levels, words hyphenated at line ends, bullet lists (•, –, ▪), two-column sections, footnotes, a table and
numbered objectives under "Objectifs" headings.

Every page's text is drawn sorted by position (top to bottom, then left to right), so the two columns of a page
are interleaved row by row in the content stream: only a reader that splits columns by position reads them in order.
``build_full_pdf`` returns a ``FullDoc`` recording the truth: each heading's path, page, paragraphs and items, the
hyphenations made, the running lines and the special pages.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from pathlib import Path

import matplotlib
from fpdf import FPDF

FONT_DIR = Path(matplotlib.get_data_path()) / "fonts" / "ttf"  # DejaVu ships with matplotlib: no system font needed

PAGE_W, LEFT, RIGHT = 210.0, 20.0, 190.0
BODY_TOP, BODY_BOTTOM = 32.0, 252.0
ROW = 5.0
GUTTER = 8.0
COL_W = (RIGHT - LEFT - GUTTER) / 2
BULLETS = ("•", "–", "▪")


@dataclass
class Section:
    """The truth about one heading: its number, title, level, page and what stands under it."""

    number: str
    title: str
    level: int
    page: int = 0
    paragraphs: list[str] = field(default_factory=list)
    items: list[tuple[str, int]] = field(default_factory=list)  # (text, page of its first line)
    footnotes: list[str] = field(default_factory=list)
    two_column: bool = False
    text_page: int = 0  # the page of the first line of text under the heading (the heading can end a page)

    @property
    def label(self) -> str:
        return f"{self.number} {self.title}"


@dataclass
class FullDoc:
    """What the generated PDF holds, for the tests to compare with what the reader finds."""

    path: Path
    language: str
    pages: int
    sections: list[Section]
    hyphenated: list[tuple[int, str, str]]  # (page, word as printed across the break "crimi-|nalité", whole word)
    compounds: list[tuple[int, str]]  # (page, hyphenated compound broken after its own hyphen, e.g. "bien-être")
    running: list[str]  # the running header texts
    contents_pages: list[int]
    blank_pages: list[int]
    two_column_pages: list[int]
    cover: list[str]

    def path_of(self, number: str) -> tuple[str, ...]:
        """The heading path of a section: its ancestors' labels then its own."""
        by_number = {s.number: s for s in self.sections}
        parts = number.split(".")
        return tuple(by_number[".".join(parts[:i])].label for i in range(1, len(parts) + 1))


# -- the language material -----------------------------------------------------------------------------------
FR = {
    "title": "Plan national de sécurité 2016-2019",
    "subtitle": "Version intégrale — document synthétique de test",
    "notice": "Texte inventé pour les tests : il ne reproduit aucun plan officiel.",
    "contents": "Table des matières",
    "page": "page",
    "objectives": "Objectifs",
    "findings": "Constats",
    "approach": "Approche",
    "lead": "La police intégrée poursuit les objectifs suivants.",
    "chapters": [
        ("Introduction", ["Contexte général", "Méthode d'élaboration"]),
        ("Thèmes transversaux", ["Approche administrative", "Approche axée sur le butin", "Échange d'informations",
                                 "Coopération internationale", "Identité et fraude à l'identité"]),
        ("Phénomènes de sécurité", ["Radicalisme, extrémisme violent et terrorisme",
                                    "Traite et trafic des êtres humains", "Drogues", "Fraude sociale et fiscale",
                                    "Cybercriminalité et cybersécurité", "Criminalité violente",
                                    "Criminalité contre les biens", "Environnement", "Armes illégales",
                                    "Sécurité routière"]),
        ("Suivi et évaluation", ["Indicateurs", "Calendrier"]),
    ],
    "subjects": ["la criminalité organisée", "la cybercriminalité", "la fraude sociale", "le trafic de drogues",
                 "la traite des êtres humains", "la criminalité environnementale", "le terrorisme"],
    "actors": ["les zones de police", "la police fédérale", "les autorités administratives",
               "les autorités judiciaires", "les partenaires de la chaîne de sécurité", "les services d'inspection"],
    "sentences": [
        "La police intégrée renforce l'approche de {s} en concertation avec {a}.",
        "Les services de police développent une image précise du phénomène à partir des informations disponibles.",
        "Cette approche repose sur une coordination structurée entre les niveaux local et fédéral.",
        "{S} exploite les failles de la coopération entre les services et les frontières administratives.",
        "Une attention particulière est accordée à la prévention et à l'accompagnement des victimes.",
        "{A} adaptent leurs plans zonaux de sécurité aux priorités retenues pour {s}.",
        "La collecte d'informations sur le terrain alimente l'analyse stratégique et opérationnelle.",
        "Le suivi des résultats se fait au moyen d'indicateurs communs, évalués chaque année par {a}.",
        "La lutte contre la criminalité exige des compétences spécialisées et une formation continue.",
        "L'environnement numérique facilite l'échange sécurisé des données entre {a} et la police.",
        "Le bien-être des membres du personnel conditionne la qualité du service rendu à la population.",
        "La dimension socio-économique de {s} est analysée avec {a}.",
        "Les autorités administratives et judiciaires sont associées aux choix opérationnels.",
        "L'évaluation intermédiaire permet d'ajuster les mesures en cours de route.",
        "Les informations recueillies sont partagées dans le respect de la protection des données personnelles.",
        "La coordination internationale complète les efforts menés sur le territoire national.",
    ],
    "verbs": ["Renforcer", "Développer", "Améliorer", "Soutenir", "Évaluer", "Harmoniser", "Structurer",
              "Intensifier"],
    "objects": ["l'échange d'informations entre les services de police et {a}",
                "la formation des enquêteurs spécialisés dans {s}",
                "l'image du phénomène au niveau arrondissemental et local",
                "la détection précoce des signaux liés à {s}",
                "la coopération opérationnelle avec {a}",
                "l'accompagnement des victimes et leur orientation vers l'aide spécialisée",
                "la saisie des avoirs criminels issus de {s}",
                "la prévention ciblée auprès des publics les plus exposés",
                "le suivi des dossiers prioritaires par {a}",
                "l'utilisation des banques de données policières dans les enquêtes"],
    "bullets": ["la prévention et la sensibilisation", "la détection et l'enquête",
                "la coordination avec {a}", "le suivi des résultats"],
    "bullet_lead": "L'approche s'articule autour de quatre axes :",
    "ambitions_lead": "Le plan poursuit trois ambitions :",
    "ambitions": ["Un service de qualité rendu à la population.",
                  "Une approche intégrée et intégrale des phénomènes de sécurité.",
                  "Une organisation policière performante et transparente."],
    "footnote": "Source synthétique : rapport annuel fictif {n}, utilisé uniquement pour les tests.",
    "table": [("Indicateur", "Source", "Fréquence"),
              ("Faits enregistrés", "Banque de données", "Annuelle"),
              ("Dossiers clôturés", "Parquets", "Semestrielle"),
              ("Victimes orientées", "Services d'aide", "Annuelle"),
              ("Formations suivies", "Académies", "Trimestrielle")],
    "table_lead": "Le tableau suivant présente les indicateurs retenus.",
    "hyphens": {"criminalité": [5], "cybercriminalité": [5, 10], "informations": [5], "coordination": [6],
                "prévention": [6], "environnement": [7], "administratives": [7], "opérationnels": [5],
                "intermédiaire": [7], "compétences": [5], "spécialisées": [7], "accompagnement": [7],
                "structurée": [6], "particulière": [7], "évaluation": [6], "stratégique": [6],
                "opérationnelle": [5], "internationale": [5], "sensibilisation": [7], "enquêteurs": [6],
                "personnelles": [6], "arrondissemental": [6]},
}

NL = {
    "title": "Nationaal Veiligheidsplan 2016-2019",
    "subtitle": "Volledige versie — synthetisch testdocument",
    "notice": "Verzonnen tekst voor de tests: hij geeft geen officieel plan weer.",
    "contents": "Inhoudstafel",
    "page": "blz.",
    "objectives": "Doelstellingen",
    "findings": "Vaststellingen",
    "approach": "Aanpak",
    "lead": "De geïntegreerde politie streeft de volgende doelstellingen na:",
    "chapters": [
        ("Inleiding", ["Algemene context"]),
        ("Transversale thema's", ["Bestuurlijke aanpak", "Informatie-uitwisseling"]),
        ("Veiligheidsfenomenen", ["Drugs", "Cybercriminaliteit en cyberveiligheid", "Sociale en fiscale fraude"]),
        ("Opvolging en evaluatie", ["Indicatoren"]),
    ],
    "subjects": ["de georganiseerde criminaliteit", "de cybercriminaliteit", "de sociale fraude",
                 "de drugshandel", "de mensenhandel"],
    "actors": ["de politiezones", "de federale politie", "de bestuurlijke overheden", "de gerechtelijke overheden",
               "de partners van de veiligheidsketen"],
    "sentences": [
        "De geïntegreerde politie versterkt de aanpak van {s} in overleg met {a}.",
        "De politiediensten ontwikkelen een nauwkeurig beeld van het fenomeen op basis van de beschikbare informatie.",
        "Deze aanpak steunt op een gestructureerde coördinatie tussen het lokale en het federale niveau.",
        "{S} maakt gebruik van de zwakke plekken in de samenwerking tussen de diensten.",
        "Bijzondere aandacht gaat naar de preventie en de begeleiding van slachtoffers.",
        "{A} passen hun zonale veiligheidsplannen aan de gekozen prioriteiten voor {s} aan.",
        "De informatie die op het terrein wordt verzameld, voedt de strategische en operationele analyse.",
        "De resultaten worden opgevolgd met gemeenschappelijke indicatoren die {a} jaarlijks evalueren.",
        "De strijd tegen de criminaliteit vereist gespecialiseerde competenties en permanente opleiding.",
        "Het veiligheidsbeleid houdt rekening met de sociaal-economische dimensie van {s}.",
        "De samenwerking met {a} wordt regelmatig geëvalueerd.",
        "De internationale samenwerking vult de inspanningen op het nationale grondgebied aan.",
    ],
    "verbs": ["Versterken van", "Ontwikkelen van", "Verbeteren van", "Ondersteunen van", "Evalueren van",
              "Harmoniseren van"],
    "objects": ["de informatie-uitwisseling tussen de politiediensten en {a}",
                "de opleiding van gespecialiseerde speurders",
                "het beeld van het fenomeen op arrondissementeel en lokaal niveau",
                "de vroege opsporing van signalen van {s}",
                "de operationele samenwerking met {a}",
                "de begeleiding van slachtoffers naar gespecialiseerde hulp",
                "de inbeslagname van criminele vermogens afkomstig van {s}",
                "de gerichte preventie bij de meest blootgestelde doelgroepen"],
    "bullets": ["de preventie en de sensibilisering", "de opsporing en het onderzoek", "de coördinatie met {a}",
                "de opvolging van de resultaten"],
    "bullet_lead": "De aanpak steunt op vier pijlers:",
    "ambitions_lead": "Het plan heeft drie ambities:",
    "ambitions": ["Een kwaliteitsvolle dienstverlening aan de bevolking.",
                  "Een geïntegreerde en integrale aanpak van de veiligheidsfenomenen.",
                  "Een performante en transparante politieorganisatie."],
    "footnote": "Synthetische bron: fictief jaarverslag {n}, enkel gebruikt voor de tests.",
    "table": [("Indicator", "Bron", "Frequentie"),
              ("Geregistreerde feiten", "Databank", "Jaarlijks"),
              ("Afgesloten dossiers", "Parketten", "Halfjaarlijks"),
              ("Doorverwezen slachtoffers", "Hulpdiensten", "Jaarlijks")],
    "table_lead": "De volgende tabel geeft de gekozen indicatoren weer.",
    "hyphens": {"criminaliteit": [7], "cybercriminaliteit": [5, 12], "informatie": [5], "veiligheidsbeleid": [11],
                "samenwerking": [5], "politiediensten": [7], "doelstellingen": [7], "preventie": [5],
                "coördinatie": [6], "gestructureerde": [8], "strategische": [6], "operationele": [5],
                "competenties": [6], "veiligheidsplannen": [11], "gemeenschappelijke": [9],
                "internationale": [5], "slachtoffers": [6], "inspanningen": [6], "geïntegreerde": [7]},
}


class _Writer:
    """Lays the text out page by page (our own line breaking, so we know every hyphenation) and draws it."""

    def __init__(self, lang: dict, language: str, seed: int) -> None:
        self.lang = lang
        self.language = language
        self.rng = random.Random(seed)
        self.pdf = FPDF(format="A4", unit="mm")
        self.pdf.set_auto_page_break(False)
        self.pdf.add_font("DejaVu", "", str(FONT_DIR / "DejaVuSans.ttf"))
        self.pdf.add_font("DejaVu", "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
        self.pages: list[list[tuple[float, float, str, float, str]]] = []  # (y, x, text, size, style)
        self.page_chapter: list[str | None] = []
        self.page_notes: list[list[str]] = []
        self.y = BODY_TOP
        self.chapter: str | None = None
        self.sections: list[Section] = []
        self.hyphenated: list[tuple[int, str, str]] = []
        self.compounds: list[tuple[int, str]] = []
        self.blank_pages: list[int] = []
        self.contents_pages: list[int] = []
        self.two_column_pages: set[int] = set()
        self.notes = 0

    # -- pages ---------------------------------------------------------------------------------------------
    def new_page(self, chapter: str | None = None, bare: bool = False) -> int:
        self.pages.append([])
        self.page_chapter.append(None if bare else (chapter or self.chapter or ""))
        self.page_notes.append([])
        self.y = BODY_TOP
        return len(self.pages)

    @property
    def page(self) -> int:
        return len(self.pages)

    def put(self, x: float, y: float, text: str, size: float = 10, style: str = "") -> None:
        self.pages[-1].append((y, x, text, size, style))

    def width(self, text: str, size: float = 10, style: str = "") -> float:
        self.pdf.set_font("DejaVu", style, size)
        return self.pdf.get_string_width(text)

    def room(self, rows: float) -> None:
        if self.y + rows * ROW > BODY_BOTTOM:
            self.new_page()

    # -- line breaking -------------------------------------------------------------------------------------
    def wrap(self, text: str, width: float, size: float = 10) -> list[tuple[str, tuple[str, str, str] | None]]:
        """Greedy line breaking; a word that does not fit is hyphenated at a known break point when one fits.

        Returns (line, break) where break is (kind, printed, word) for a line ending in a hyphen: kind "split"
        for a word cut in two, "compound" for a compound broken after its own hyphen.
        """
        lines: list[tuple[str, tuple[str, str, str] | None]] = []
        current = ""
        words = text.split()
        i = 0
        while i < len(words):
            word = words[i]
            candidate = f"{current} {word}".strip()
            if self.width(candidate, size) <= width:
                current, i = candidate, i + 1
                continue
            core = word.strip(".,;:()«»")
            head = word[: word.find(core)] if core else ""
            done = False
            if "-" in core[1:-1]:
                first = core[: core.index("-") + 1]
                if self.width(f"{current} {head}{first}".strip(), size) <= width:
                    lines.append((f"{current} {head}{first}".strip(), ("compound", first, core)))
                    words[i] = word[len(head) + len(first):]
                    current, done = "", True
            for cut in sorted(self.lang["hyphens"].get(core.lower(), []), reverse=True):
                if done:
                    break
                piece = f"{head}{core[:cut]}-"
                if self.width(f"{current} {piece}".strip(), size) <= width:
                    lines.append((f"{current} {piece}".strip(), ("split", f"{core[:cut]}-|{core[cut:]}", core)))
                    words[i] = word[len(head) + cut:]
                    current, done = "", True
            if not done:
                if not current:  # a word longer than the line: let it overflow rather than loop
                    current, i = word, i + 1
                lines.append((current, None))
                current = ""
        if current:
            lines.append((current, None))
        return lines

    def _record(self, brk: tuple[str, str, str] | None, page: int) -> None:
        if brk is None:
            return
        if brk[0] == "split":
            self.hyphenated.append((page, brk[1], brk[2]))
        else:
            self.compounds.append((page, brk[2]))

    # -- blocks --------------------------------------------------------------------------------------------
    def heading(self, number: str, title: str) -> Section:
        level = number.count(".") + 1
        if level == 1:
            self.chapter = f"{number}. {title}"
            self.new_page()
        size, rows = {1: (15, 3.0), 2: (12, 2.4), 3: (10.5, 1.8)}[level]
        self.room(rows + 3)
        if self.y > BODY_TOP:
            self.y += ROW * 0.6
        self.y += ROW * 0.6
        self.put(LEFT, self.y, f"{number} {title}", size, "B")
        self.y += ROW * (rows - 0.6)
        section = Section(number, title, level, self.page)
        self.sections.append(section)
        return section

    def paragraph(self, section: Section, text: str, note: str | None = None, x: float = LEFT,
                  width: float = RIGHT - LEFT) -> None:
        """A paragraph in the single column; a footnote mark goes after its first sentence."""
        printed = text
        if note is not None:
            self.notes += 1
            mark = "¹²³⁴⁵⁶⁷⁸⁹"[(self.notes - 1) % 9]
            first_end = text.index(". ") + 1 if ". " in text else len(text)
            printed = f"{text[:first_end - 1]}{mark}{text[first_end - 1:]}"
            note = f"{mark} {note}"
        lines = self.wrap(printed, width)
        for k, (line, brk) in enumerate(lines):
            if self.y + ROW > BODY_BOTTOM:
                self.new_page()
            if k == 0 and note is not None:
                self.page_notes[-1].append(note)
                section.footnotes.append(note)
            self.put(x, self.y, line)
            section.text_page = section.text_page or self.page
            self._record(brk, self.page)
            self.y += ROW
        self.y += ROW  # the space between paragraphs: a blank line for the reader
        section.paragraphs.append(text)

    def list_block(self, section: Section, lines_in: list[str], markers: tuple[str, ...]) -> None:
        """A bullet list: markers as printed, hanging indent; the truth keeps the normalised "- " form."""
        truth = []
        for k, item in enumerate(lines_in):
            marker = markers[k % len(markers)]
            wrapped = self.wrap(item, RIGHT - LEFT - 8)
            self.room(len(wrapped))
            section.text_page = section.text_page or self.page
            for j, (line, brk) in enumerate(wrapped):
                if j == 0:
                    self.put(LEFT + 2, self.y, marker)
                self.put(LEFT + 8, self.y, line)
                self._record(brk, self.page)
                self.y += ROW
            truth.append(f"- {item}")
        self.y += ROW
        section.paragraphs.append("\n".join(truth))

    def numbered(self, section: Section, items: list[str], as_items: bool = True) -> None:
        """Numbered lines "1. …" with a hanging indent: objectives, or a list that stays in the prose."""
        truth = []
        for n, item in enumerate(items, start=1):
            wrapped = self.wrap(item, RIGHT - LEFT - 9)
            self.room(len(wrapped))
            first_page = self.page
            for j, (line, brk) in enumerate(wrapped):
                if j == 0:
                    self.put(LEFT, self.y, f"{n}.")
                self.put(LEFT + 9, self.y, line)
                self._record(brk, self.page)
                self.y += ROW
            self.y += ROW * 0.4
            if as_items:
                section.items.append((item, first_page))
            else:
                truth.append(f"{n}. {item}")
        self.y += ROW
        if truth:
            section.paragraphs[-1] = section.paragraphs[-1] + " " + " ".join(truth)

    def table(self, section: Section, rows: list[tuple[str, ...]]) -> None:
        self.room(len(rows) + 2)
        widths = [64, 56, 50]
        for r, row in enumerate(rows):
            x = LEFT
            for cell, w in zip(row, widths, strict=True):
                self.put(x + 1, self.y, cell, 10, "B" if r == 0 else "")
                x += w
            self.y += ROW * 1.2
        self.y += ROW
        section.paragraphs.append("\n".join(" · ".join(row) for row in rows))

    def two_columns(self, section: Section, paragraphs: list[str]) -> None:
        """Paragraphs set in two balanced columns; a column break never cuts a word."""
        section.two_column = True
        lines: list[tuple[str, tuple[str, str, str] | None] | None] = []
        for text in paragraphs:
            lines.extend(self.wrap(text, COL_W))
            lines.append(None)  # paragraph space
            section.paragraphs.append(text)
        while lines and lines[-1] is None:
            lines.pop()
        while lines:
            rows = int((BODY_BOTTOM - self.y) // ROW)
            if rows < 4:
                self.new_page()
                continue
            k = math.ceil(len(lines) / 2) if len(lines) <= 2 * rows else rows
            left, right, lines = lines[:k], lines[k: 2 * k], lines[2 * k:]
            if any(entry is not None for entry in right):
                self.two_column_pages.add(self.page)
            section.text_page = section.text_page or self.page
            top = self.y
            for col, chunk in ((LEFT, left), (LEFT + COL_W + GUTTER, right)):
                y = top
                for entry in chunk:
                    if entry is not None:
                        self.put(col, y, entry[0])
                        self._record(entry[1], self.page)
                    y += ROW
            self.y = top + k * ROW
            if lines:
                self.new_page()
        self.y += ROW

    # -- the text ------------------------------------------------------------------------------------------
    def fill(self, template: str, subject: str) -> str:
        actor = self.rng.choice(self.lang["actors"])
        out = template.replace("{s}", subject).replace("{a}", actor)
        out = out.replace("{S}", subject[:1].upper() + subject[1:]).replace("{A}", actor[:1].upper() + actor[1:])
        return out.replace(" à le ", " au ").replace(" de le ", " du ").replace(" à les ", " aux ")

    def prose(self, subject: str, sentences: int) -> str:
        pool = self.lang["sentences"]
        picked = self.rng.sample(range(len(pool)), k=min(sentences, len(pool)))
        return " ".join(self.fill(pool[i], subject) for i in picked)

    def objectives(self, subject: str, count: int) -> list[str]:
        pairs = [(v, o) for o in self.lang["objects"] for v in self.lang["verbs"]]
        self.rng.shuffle(pairs)
        return [f"{v} {self.fill(o, subject)}." for v, o in pairs[:count]]


def build_full_pdf(path: Path, language: str = "fr", scale: int = 11, seed: int = 2016) -> FullDoc:
    """Write the synthetic full plan to ``path``. ``scale`` sets the amount of prose (11: 123 pages in French)."""
    lang = FR if language == "fr" else NL
    w = _Writer(lang, language, seed)
    # Cover, a blank page, two contents pages (filled at the end, when the pages of the headings are known).
    w.new_page(bare=True)
    cover = [lang["title"], lang["subtitle"], lang["notice"]]
    w.put(LEFT, 90, cover[0], 22, "B")
    w.put(LEFT, 105, cover[1], 14)
    w.put(LEFT, 120, cover[2], 10)
    w.new_page(bare=True)
    w.blank_pages.append(w.page)
    w.contents_pages = [w.new_page(chapter=lang["contents"]), w.new_page(chapter=lang["contents"])]
    w.new_page(bare=True)
    w.blank_pages.append(w.page)
    subjects = lang["subjects"]
    for c, (chapter, subs) in enumerate(lang["chapters"], start=1):
        top = w.heading(str(c), chapter)
        w.paragraph(top, w.prose(subjects[c % len(subjects)], 3))
        for s, sub in enumerate(subs, start=1):
            number = f"{c}.{s}"
            subject = subjects[(c * 7 + s) % len(subjects)]
            section = w.heading(number, sub)
            if c == 1:
                for k in range(2 * scale):
                    w.paragraph(section, w.prose(subject, 5), note=lang["footnote"].replace("{n}", str(k + 1))
                                if k == 1 else None)
                if s == 2:
                    w.paragraph(section, lang["ambitions_lead"])
                    w.numbered(section, lang["ambitions"], as_items=False)
                    w.two_columns(section, [w.prose(subject, 6) for _ in range(2 * scale)])
                continue
            if c == len(lang["chapters"]):
                w.paragraph(section, w.prose(subject, 4))
                if s == 1:
                    w.paragraph(section, lang["table_lead"])
                    w.table(section, lang["table"])
                continue
            findings = w.heading(f"{number}.1", lang["findings"])
            w.two_columns(findings, [w.prose(subject, 6) for _ in range(2 * scale + 1)])
            approach = w.heading(f"{number}.2", lang["approach"])
            for k in range(scale):
                w.paragraph(approach, w.prose(subject, 6), note=lang["footnote"].replace("{n}", f"{c}{s}{k}")
                            if k == 0 and s % 2 else None)
            w.paragraph(approach, lang["bullet_lead"])
            w.list_block(approach, [w.fill(b, subject) for b in lang["bullets"]], BULLETS)
            goals = w.heading(f"{number}.3", lang["objectives"])
            w.paragraph(goals, lang["lead"])
            w.numbered(goals, w.objectives(subject, 6 + (s % 3) * 2))
    # A closing blank page, as printed documents often have.
    w.new_page(bare=True)
    w.blank_pages.append(w.page)
    _fill_contents(w)
    running = _draw(w, path)
    return FullDoc(path, language, len(w.pages), w.sections, w.hyphenated, w.compounds, running,
                   w.contents_pages, w.blank_pages, sorted(w.two_column_pages), cover)


def _fill_contents(w: _Writer) -> None:
    """Levels 1 and 2 with dot leaders up to the right-aligned page number, over the reserved pages."""
    entries = [s for s in w.sections if s.level <= 2]
    per_page = math.ceil(len(entries) / len(w.contents_pages))
    for index, page in enumerate(w.contents_pages):
        ops = w.pages[page - 1]
        y = BODY_TOP
        if index == 0:
            ops.append((y, LEFT, w.lang["contents"], 15, "B"))
            y += ROW * 3
        for section in entries[index * per_page:(index + 1) * per_page]:
            indent = 0 if section.level == 1 else 6
            text = f"{section.number} {section.title} "
            number = f" {section.page}"
            dots = w.width(".", 10)
            room = RIGHT - LEFT - indent - w.width(text) - w.width(number)
            ops.append((y, LEFT + indent, text + "." * max(3, int(room / dots)) + number, 10, ""))
            y += ROW * 1.3


def _draw(w: _Writer, path: Path) -> list[str]:
    """Draw every page, running headers and footers included, each page's text sorted by position."""
    pdf = w.pdf
    running = {w.lang["title"]}
    for number, ops in enumerate(w.pages, start=1):
        pdf.add_page()
        chapter = w.page_chapter[number - 1]
        if chapter is None:
            items = list(ops)
        else:
            header = w.lang["title"] if number % 2 == 0 else chapter
            running.add(header)
            items = [*ops, (14.0, LEFT if number % 2 == 0 else RIGHT - w.width(header, 8), header, 8, ""),
                     (286.0, PAGE_W / 2 - 6, f"— {number} —", 8, "")]
            notes_y = 262.0
            for note in w.page_notes[number - 1]:
                for line, _ in w.wrap(note, RIGHT - LEFT, 8):
                    items.append((notes_y, LEFT, line, 8, ""))
                    notes_y += 4
        for y, x, text, size, style in sorted(items, key=lambda op: (round(op[0], 2), op[1])):
            pdf.set_font("DejaVu", style, size)
            pdf.text(x, y, text)
    pdf.output(str(path))
    return sorted(running)
