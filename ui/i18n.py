"""Interface wording in French, Dutch and English.

Only the app's own text lives here; the plan's text is French and is never translated. A missing key or language
falls back to French, then to the key itself, so a forgotten translation shows up as French rather than as an error.
"""

from __future__ import annotations

LANGUAGES: dict[str, str] = {"fr": "Français", "nl": "Nederlands", "en": "English"}
DEFAULT_LANGUAGE = "fr"

TEXTS: dict[str, dict[str, str]] = {
    # -- app frame ---------------------------------------------------------------------------------------------
    "app_title": {
        "fr": "PNS Assistant — Plan national de sécurité 2016-2019",
        "nl": "PNS Assistant — Nationaal Veiligheidsplan 2016-2019",
        "en": "PNS Assistant — National Security Plan 2016-2019",
    },
    "app_intro": {
        "fr": "Réponses extraites du plan : chaque passage est cité mot pour mot, avec sa source et un lien "
              "permanent. Le texte du plan est en français.",
        "nl": "Antwoorden uit het plan zelf: elke passage wordt letterlijk geciteerd, met bron en vaste link. "
              "De tekst van het plan is in het Frans.",
        "en": "Answers taken from the plan itself: every passage is quoted verbatim, with its source and a "
              "permanent link. The plan's text is in French.",
    },
    "ui_language": {"fr": "Langue de l'interface", "nl": "Taal van de interface", "en": "Interface language"},
    "tab_chat": {"fr": "Questions", "nl": "Vragen", "en": "Questions"},
    "tab_objective": {"fr": "Objectif", "nl": "Doelstelling", "en": "Objective"},
    "tab_themes": {"fr": "Thèmes", "nl": "Thema's", "en": "Themes"},
    "tab_actors": {"fr": "Acteurs", "nl": "Actoren", "en": "Actors"},
    "tab_eval": {"fr": "Évaluation", "nl": "Evaluatie", "en": "Evaluation"},
    # -- chat ----------------------------------------------------------------------------------------------------
    "chat_label": {"fr": "Conversation", "nl": "Gesprek", "en": "Conversation"},
    "chat_placeholder": {
        "fr": "Posez une question sur le Plan national de sécurité 2016-2019.",
        "nl": "Stel een vraag over het Nationaal Veiligheidsplan 2016-2019.",
        "en": "Ask a question about the National Security Plan 2016-2019.",
    },
    "question_label": {"fr": "Votre question", "nl": "Uw vraag", "en": "Your question"},
    "question_placeholder": {
        "fr": "p. ex. Quels sont les objectifs en matière de cybercriminalité ?",
        "nl": "bv. Wat zegt het plan over partnergeweld?",
        "en": "e.g. Which objectives involve the CTIF?",
    },
    "question_language": {"fr": "Langue de la question", "nl": "Taal van de vraag", "en": "Question language"},
    "lang_auto": {"fr": "Automatique", "nl": "Automatisch", "en": "Automatic"},
    "send": {"fr": "Envoyer", "nl": "Versturen", "en": "Send"},
    "new_conversation": {"fr": "Nouvelle conversation", "nl": "Nieuw gesprek", "en": "New conversation"},
    "examples": {"fr": "Exemples", "nl": "Voorbeelden", "en": "Examples"},
    "sources": {"fr": "Sources", "nl": "Bronnen", "en": "Sources"},
    "sources_empty": {
        "fr": "Les passages cités par la réponse s'afficheront ici.",
        "nl": "De passages die het antwoord citeert, verschijnen hier.",
        "en": "The passages the answer quotes will appear here.",
    },
    "sources_none": {
        "fr": "Cette réponse ne cite aucun passage.",
        "nl": "Dit antwoord citeert geen passage.",
        "en": "This answer quotes no passage.",
    },
    "location": {"fr": "Emplacement", "nl": "Plaats", "en": "Location"},
    "score": {"fr": "Score", "nl": "Score", "en": "Score"},
    "score_lexical": {"fr": "lexical (BM25)", "nl": "lexicaal (BM25)", "en": "lexical (BM25)"},
    "score_dense": {"fr": "sémantique", "nl": "semantisch", "en": "semantic"},
    "score_fused": {"fr": "fusion", "nl": "fusie", "en": "fused"},
    "score_route": {"fr": "thème nommé", "nl": "genoemd thema", "en": "named theme"},
    "score_catalogue": {
        "fr": "tiré du catalogue des objectifs", "nl": "uit de catalogus van doelstellingen",
        "en": "taken from the catalogue of objectives",
    },
    "rank": {"fr": "rang", "nl": "rang", "en": "rank"},
    "not_retrieved": {"fr": "non trouvé", "nl": "niet gevonden", "en": "not retrieved"},
    "open_objective": {"fr": "Ouvrir l'objectif", "nl": "Doelstelling openen", "en": "Open the objective"},
    "permalink": {"fr": "Lien permanent", "nl": "Vaste link", "en": "Permalink"},
    "summary": {
        "fr": "Résumé par un modèle de langue (à vérifier dans les passages cités)",
        "nl": "Samenvatting door een taalmodel (controleer in de geciteerde passages)",
        "en": "Summary by a language model (check it against the quoted passages)",
    },
    "error": {"fr": "Erreur", "nl": "Fout", "en": "Error"},
    "error_unexpected": {
        "fr": "Une erreur inattendue s'est produite ; la question n'a pas pu être traitée.",
        "nl": "Er is een onverwachte fout opgetreden; de vraag kon niet worden verwerkt.",
        "en": "An unexpected error occurred; the question could not be answered.",
    },
    "comment_label": {
        "fr": "Commentaire sur la dernière réponse (facultatif)",
        "nl": "Opmerking bij het laatste antwoord (optioneel)",
        "en": "Comment on the last answer (optional)",
    },
    "comment_placeholder": {
        "fr": "Ce qui manque, ce qui est faux… Les pouces ci-dessus notent la réponse.",
        "nl": "Wat ontbreekt, wat fout is… Met de duimpjes hierboven beoordeelt u het antwoord.",
        "en": "What is missing or wrong… The thumbs above rate the answer.",
    },
    "comment_send": {"fr": "Envoyer le commentaire", "nl": "Opmerking versturen", "en": "Send comment"},
    "feedback_thanks": {"fr": "Merci, c'est noté.", "nl": "Bedankt, genoteerd.", "en": "Thank you, noted."},
    "feedback_no_answer": {
        "fr": "Posez d'abord une question : le commentaire porte sur la dernière réponse.",
        "nl": "Stel eerst een vraag: de opmerking gaat over het laatste antwoord.",
        "en": "Ask a question first: the comment is about the last answer.",
    },
    "feedback_empty": {
        "fr": "Le commentaire est vide.", "nl": "De opmerking is leeg.", "en": "The comment is empty.",
    },
    "export_answer_md": {
        "fr": "Réponse en Markdown", "nl": "Antwoord in Markdown", "en": "Answer as Markdown",
    },
    "export_answer_html": {
        "fr": "Réponse à imprimer (HTML)", "nl": "Antwoord om af te drukken (HTML)",
        "en": "Printable answer (HTML)",
    },
    # -- objective card --------------------------------------------------------------------------------------------
    "objective_id": {"fr": "Identifiant de l'objectif", "nl": "Id van de doelstelling", "en": "Objective id"},
    "objective_id_placeholder": {"fr": "p. ex. PNS16-B5-3", "nl": "bv. PNS16-B5-3", "en": "e.g. PNS16-B5-3"},
    "open": {"fr": "Ouvrir", "nl": "Openen", "en": "Open"},
    "objective_empty": {
        "fr": "Saisissez un identifiant (p. ex. PNS16-B5-3) ou suivez un lien vers un objectif.",
        "nl": "Geef een id in (bv. PNS16-B5-3) of volg een link naar een doelstelling.",
        "en": "Type an id (e.g. PNS16-B5-3) or follow a link to an objective.",
    },
    "objective_unknown": {
        "fr": "Aucun objectif « {id} ». Les identifiants ressemblent à PNS16-B5-3 ; voir l'onglet Thèmes.",
        "nl": "Geen doelstelling « {id} ». Id's zien eruit als PNS16-B5-3; zie het tabblad Thema's.",
        "en": "No objective “{id}”. Ids look like PNS16-B5-3; see the Themes tab.",
    },
    "objective_n": {"fr": "Objectif {n}", "nl": "Doelstelling {n}", "en": "Objective {n}"},
    "heading_path": {"fr": "Place dans le plan", "nl": "Plaats in het plan", "en": "Place in the plan"},
    "source": {"fr": "Source", "nl": "Bron", "en": "Source"},
    "actors_named": {"fr": "Acteurs cités", "nl": "Genoemde actoren", "en": "Actors named"},
    "no_actor": {"fr": "Aucun acteur de l'index n'est cité.", "nl": "Geen actor uit de index genoemd.",
                 "en": "No actor of the index is named."},
    "group_others": {
        "fr": "Les autres objectifs de « {title} »", "nl": "De andere doelstellingen van « {title} »",
        "en": "The other objectives of “{title}”",
    },
    "corrected": {
        "fr": "Place rétablie par une correction relue du texte source : {reason}",
        "nl": "Plaats hersteld door een nagelezen correctie van de brontekst: {reason}",
        "en": "Place restored by a reviewed correction of the source text: {reason}",
    },
    "french_text": {
        "fr": "", "nl": "Tekst van het plan, in het Frans.", "en": "The plan's own wording, in French.",
    },
    # -- themes ------------------------------------------------------------------------------------------------------
    "part_A": {"fr": "A. Thèmes transversaux", "nl": "A. Transversale thema's", "en": "A. Transversal themes"},
    "part_B": {"fr": "B. Phénomènes de sécurité", "nl": "B. Veiligheidsfenomenen", "en": "B. Security phenomena"},
    "plan_tree": {"fr": "Structure du plan", "nl": "Structuur van het plan", "en": "Structure of the plan"},
    "theme_select": {"fr": "Thème ou sous-groupe", "nl": "Thema of subgroep", "en": "Theme or sub-group"},
    "theme_empty": {
        "fr": "Choisissez un thème pour voir tous ses objectifs.",
        "nl": "Kies een thema om al zijn doelstellingen te zien.",
        "en": "Choose a theme to see all its objectives.",
    },
    "theme_unknown": {
        "fr": "Aucun thème ou sous-groupe « {key} » ; les codes ressemblent à B5, A3 ou B4.2.",
        "nl": "Geen thema of subgroep « {key} »; codes zien eruit als B5, A3 of B4.2.",
        "en": "No theme or sub-group “{key}”; codes look like B5, A3 or B4.2.",
    },
    "text_only": {"fr": "cité hors des objectifs", "nl": "alleen buiten de doelstellingen genoemd",
                  "en": "named outside the objectives only"},
    "goal": {"fr": "But", "nl": "Doel", "en": "Goal"},
    "other_passages": {"fr": "Autres passages", "nl": "Andere passages", "en": "Other passages"},
    "export_group_md": {
        "fr": "Objectifs en Markdown", "nl": "Doelstellingen in Markdown", "en": "Objectives as Markdown",
    },
    "export_group_html": {
        "fr": "Objectifs à imprimer (HTML)", "nl": "Doelstellingen om af te drukken (HTML)",
        "en": "Printable objectives (HTML)",
    },
    # -- actors ------------------------------------------------------------------------------------------------------
    "actor_label": {"fr": "Acteur ou système", "nl": "Actor of systeem", "en": "Actor or system"},
    "actor_info": {
        "fr": "Choisissez dans la liste ou tapez un nom, un sigle (CTIF, Europol, BNG…).",
        "nl": "Kies uit de lijst of typ een naam of afkorting (CTIF, Europol, ANG…).",
        "en": "Pick from the list or type a name or acronym (CTIF, Europol, BNG…).",
    },
    "actor_search": {"fr": "Chercher", "nl": "Zoeken", "en": "Search"},
    "actor_none": {
        "fr": "Aucun acteur de l'index ne correspond à « {q} ».",
        "nl": "Geen actor uit de index komt overeen met « {q} ».",
        "en": "No actor of the index matches “{q}”.",
    },
    "actor_objectives": {
        "fr": "Objectifs qui le citent", "nl": "Doelstellingen die het noemen", "en": "Objectives naming it",
    },
    "actor_no_objective": {
        "fr": "Aucun objectif ne le cite.", "nl": "Geen doelstelling noemt het.", "en": "No objective names it.",
    },
    "actor_prose": {
        "fr": "Autres passages qui le citent", "nl": "Andere passages die het noemen",
        "en": "Other passages naming it",
    },
    "actor_overview": {
        "fr": "Index des acteurs et systèmes", "nl": "Index van actoren en systemen",
        "en": "Index of actors and systems",
    },
    "aliases": {"fr": "Aussi écrit", "nl": "Ook geschreven als", "en": "Also written"},
    "cat_police": {"fr": "Police", "nl": "Politie", "en": "Police"},
    "cat_justice": {"fr": "Justice", "nl": "Justitie", "en": "Justice"},
    "cat_administration": {
        "fr": "Administrations et partenaires", "nl": "Besturen en partners", "en": "Administrations and partners",
    },
    "cat_international": {"fr": "International", "nl": "Internationaal", "en": "International"},
    "cat_civil_society": {
        "fr": "Société civile et secteur privé", "nl": "Middenveld en privésector",
        "en": "Civil society and private sector",
    },
    "cat_system": {"fr": "Systèmes et bases de données", "nl": "Systemen en databanken",
                   "en": "Systems and databases"},
    "cat_legal": {"fr": "Références juridiques", "nl": "Juridische verwijzingen", "en": "Legal references"},
    # -- evaluation --------------------------------------------------------------------------------------------------
    "eval_none": {
        "fr": "Aucun rapport d'évaluation pour l'instant (attendu dans {path}).",
        "nl": "Nog geen evaluatierapport (verwacht in {path}).",
        "en": "No evaluation report yet (expected in {path}).",
    },
    "eval_refresh": {"fr": "Actualiser", "nl": "Vernieuwen", "en": "Refresh"},
    "eval_charts": {"fr": "Graphiques", "nl": "Grafieken", "en": "Charts"},
}


def normalise_language(value: str | None) -> str:
    """A supported interface language for ``value`` ("nl-BE" → "nl"), French otherwise."""
    code = (value or "").strip().lower().replace("_", "-").split("-")[0]
    return code if code in LANGUAGES else DEFAULT_LANGUAGE


def t(key: str, language: str | None = None, /, **values: object) -> str:
    """The wording of ``key`` in ``language``: French when the language or the key's translation is missing,
    the key itself when the key is unknown. ``values`` fill ``{placeholders}``."""
    entry = TEXTS.get(key)
    if entry is None:
        return key
    lang = normalise_language(language)
    text = entry[lang] if lang in entry else entry.get(DEFAULT_LANGUAGE, key)  # "" is a deliberate blank
    return text.format(**values) if values else text


def from_accept_language(header: str | None) -> str:
    """The interface language a browser prefers, from its ``Accept-Language`` header; French by default.

    Entries are tried by decreasing quality (``q``), ties in header order; ``q=0`` means "not acceptable".
    """
    ranked: list[tuple[float, int, str]] = []
    for position, item in enumerate((header or "").split(",")):
        parts = [p.strip() for p in item.split(";")]
        tag, quality = parts[0].lower(), 1.0
        for param in parts[1:]:
            if param.startswith("q="):
                try:
                    quality = float(param[2:])
                except ValueError:
                    quality = 0.0
        if tag and quality > 0:
            ranked.append((-quality, position, tag))
    for _, _, tag in sorted(ranked):
        code = tag.split("-")[0]
        if code in LANGUAGES:
            return code
    return DEFAULT_LANGUAGE
