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
        "fr": "Ce qui manque, ce qui est faux…",
        "nl": "Wat ontbreekt, wat fout is…",
        "en": "What is missing or wrong…",
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
    "matrix_title": {"fr": "Qui intervient où", "nl": "Wie is waar betrokken", "en": "Who is involved where"},
    "matrix_help": {
        "fr": "Nombre d'objectifs qui nomment chaque acteur, par thème ; cliquez un nombre pour lire ces objectifs.",
        "nl": "Aantal doelstellingen dat elke actor noemt, per thema; klik op een getal om die doelstellingen te "
              "lezen.",
        "en": "Number of objectives naming each actor, per theme; click a number to read those objectives.",
    },
    "matrix_actor": {"fr": "Acteur", "nl": "Actor", "en": "Actor"},
    "actor_all_themes": {"fr": "Tous les objectifs qui nomment {name}", "nl": "Alle doelstellingen die {name} "
                         "noemen", "en": "Every objective naming {name}"},
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
        "fr": "Aucune évaluation pour l'instant. « Lancer l'évaluation » pose les questions du jeu de "
              "développement à l'assistant et à chaque méthode de recherche (environ deux minutes), puis affiche "
              "ici la précision par méthode, par langue et par thème.",
        "nl": "Nog geen evaluatie. „Evaluatie starten” stelt de vragen van de ontwikkelset aan de assistent "
              "en aan elke zoekmethode (ongeveer twee minuten) en toont hier de nauwkeurigheid per methode, per "
              "taal en per thema.",
        "en": "No evaluation yet. “Run the evaluation” asks the questions of the development set to the "
              "assistant and to each retrieval method (about two minutes), then shows here how accurate each "
              "method is, per language and per theme.",
    },
    "eval_idle": {
        "fr": "Dernière évaluation ci-dessous ; « Lancer l'évaluation » la refait sur l'index actuel.",
        "nl": "Laatste evaluatie hieronder; „Evaluatie starten” doet ze opnieuw op de huidige index.",
        "en": "Latest evaluation below; “Run the evaluation” runs it again on the current index.",
    },
    "eval_start": {"fr": "Lancer l'évaluation", "nl": "Evaluatie starten", "en": "Run the evaluation"},
    "eval_running": {
        "fr": "Évaluation en cours : {done} / {total} ({mode}, {seconds} s)…",
        "nl": "Evaluatie bezig: {done} / {total} ({mode}, {seconds} s)…",
        "en": "Evaluation running: {done} / {total} ({mode}, {seconds} s)…",
    },
    "eval_done": {
        "fr": "Évaluation terminée en {seconds} s.", "nl": "Evaluatie klaar in {seconds} s.",
        "en": "Evaluation finished in {seconds} s.",
    },
    "eval_failed": {
        "fr": "L'évaluation a échoué : {message}", "nl": "De evaluatie is mislukt: {message}",
        "en": "The evaluation failed: {message}",
    },
    "eval_busy": {
        "fr": "Une évaluation est déjà en cours.", "nl": "Er loopt al een evaluatie.",
        "en": "An evaluation is already running.",
    },
    "eval_refresh": {"fr": "Actualiser", "nl": "Vernieuwen", "en": "Refresh"},
    "eval_run": {"fr": "Exécution", "nl": "Uitvoering", "en": "Run"},
    "eval_date": {"fr": "Date", "nl": "Datum", "en": "Date"},
    "eval_questions": {"fr": "Questions", "nl": "Vragen", "en": "Questions"},
    "eval_encoders": {"fr": "Encodeurs", "nl": "Encoders", "en": "Encoders"},
    "eval_fusion": {"fr": "Fusion et poids", "nl": "Fusie en gewichten", "en": "Fusion and weights"},
    "eval_units": {"fr": "Unités indexées", "nl": "Geïndexeerde eenheden", "en": "Indexed units"},
    "eval_metrics": {"fr": "Résultats par méthode", "nl": "Resultaten per methode", "en": "Results per method"},
    "eval_mode": {"fr": "Méthode", "nl": "Methode", "en": "Method"},
    "eval_mode_assistant": {"fr": "Assistant complet", "nl": "Volledige assistent", "en": "Full assistant"},
    "eval_mode_hybrid": {"fr": "Recherche hybride", "nl": "Hybride zoeken", "en": "Hybrid retrieval"},
    "eval_mode_dense": {"fr": "Sémantique seule", "nl": "Alleen semantisch", "en": "Semantic only"},
    "eval_mode_bm25": {"fr": "Lexicale seule (BM25)", "nl": "Alleen lexicaal (BM25)", "en": "Lexical only (BM25)"},
    "eval_chart_modes": {
        "fr": "hit@1 et hit@5 par méthode", "nl": "hit@1 en hit@5 per methode", "en": "hit@1 and hit@5 per method",
    },
    "eval_by_language": {"fr": "Par langue", "nl": "Per taal", "en": "Per language"},
    "eval_language": {"fr": "Langue (assistant complet)", "nl": "Taal (volledige assistent)",
                      "en": "Language (full assistant)"},
    "eval_chart_languages": {"fr": "hit@1 par langue et par méthode", "nl": "hit@1 per taal en per methode",
                             "en": "hit@1 per language and method"},
    "eval_by_theme": {"fr": "Par thème", "nl": "Per thema", "en": "Per theme"},
    "eval_chart_themes": {"fr": "hit@1 par thème (assistant complet)", "nl": "hit@1 per thema (volledige assistent)",
                          "en": "hit@1 per theme (full assistant)"},
    "metric_short_hit_1": {"fr": "hit@1", "nl": "hit@1", "en": "hit@1"},
    "metric_short_hit_5": {"fr": "hit@5", "nl": "hit@5", "en": "hit@5"},
    "metric_short_mrr_10": {"fr": "MRR@10", "nl": "MRR@10", "en": "MRR@10"},
    "metric_short_ndcg_10": {"fr": "nDCG@10", "nl": "nDCG@10", "en": "nDCG@10"},
    "metric_short_list_precision": {"fr": "préc. listes", "nl": "prec. lijsten", "en": "list prec."},
    "metric_short_list_recall": {"fr": "rappel listes", "nl": "recall lijsten", "en": "list recall"},
    "metric_short_abstention_accuracy": {"fr": "abstention", "nl": "onthouding", "en": "abstention"},
    "metric_short_false_abstention_rate": {"fr": "fausse abst.", "nl": "valse onth.", "en": "false abst."},
    "metric_short_citation_validity": {"fr": "citations", "nl": "citaten", "en": "citations"},
    "metric_short_latency_p50_ms": {"fr": "p50 ms", "nl": "p50 ms", "en": "p50 ms"},
    "metric_short_latency_p95_ms": {"fr": "p95 ms", "nl": "p95 ms", "en": "p95 ms"},
    "metric_hit_1": {"fr": "Part des questions dont l'objectif attendu est cité en premier",
                     "nl": "Aandeel vragen waarvan de verwachte doelstelling als eerste wordt geciteerd",
                     "en": "Share of questions whose expected objective is quoted first"},
    "metric_hit_5": {"fr": "Part des questions dont l'objectif attendu est parmi les cinq premiers cités",
                     "nl": "Aandeel vragen waarvan de verwachte doelstelling bij de eerste vijf geciteerde is",
                     "en": "Share of questions whose expected objective is among the first five quoted"},
    "metric_mrr_10": {"fr": "Rang réciproque moyen (10 premiers)", "nl": "Gemiddelde reciproke rang (eerste 10)",
                      "en": "Mean reciprocal rank (first 10)"},
    "metric_ndcg_10": {"fr": "Gain cumulé normalisé (10 premiers)", "nl": "Genormaliseerde cumulatieve winst "
                       "(eerste 10)", "en": "Normalised discounted cumulative gain (first 10)"},
    "metric_list_precision": {"fr": "Questions « liste » : part des objectifs cités qui sont attendus",
                              "nl": "Lijstvragen: aandeel geciteerde doelstellingen dat verwacht is",
                              "en": "List questions: share of quoted objectives that are expected"},
    "metric_list_recall": {"fr": "Questions « liste » : part des objectifs attendus qui sont cités",
                           "nl": "Lijstvragen: aandeel verwachte doelstellingen dat geciteerd wordt",
                           "en": "List questions: share of expected objectives that are quoted"},
    "metric_abstention_accuracy": {"fr": "Questions hors du plan auxquelles l'assistant répond qu'il n'en parle pas",
                                   "nl": "Vragen buiten het plan waarop de assistent zegt dat het plan er niet over "
                                         "gaat", "en": "Out-of-scope questions the assistant declines"},
    "metric_false_abstention_rate": {"fr": "Questions du plan auxquelles l'assistant ne répond pas à tort",
                                     "nl": "Vragen over het plan die de assistent ten onrechte niet beantwoordt",
                                     "en": "In-scope questions the assistant wrongly declines"},
    "metric_citation_validity": {"fr": "Part des citations retrouvées mot pour mot dans le document",
                                 "nl": "Aandeel citaten dat letterlijk in het document staat",
                                 "en": "Share of citations found verbatim in the document"},
    "metric_latency_p50_ms": {"fr": "Temps de réponse médian (ms)", "nl": "Mediane antwoordtijd (ms)",
                              "en": "Median answer time (ms)"},
    "metric_latency_p95_ms": {"fr": "95e centile du temps de réponse (ms)", "nl": "95e percentiel van de "
                              "antwoordtijd (ms)", "en": "95th percentile answer time (ms)"},
}

# Gradio's own strings that its French and Dutch translations leave in English, by Gradio's translation keys
# (merged into its dictionaries by the page, see ui/app.py SET_LOCALE_JS).
GRADIO_STRINGS: dict[str, dict[str, dict[str, str]]] = {
    "fr": {"chatbot": {"copy_message": "Copier le message", "copied_message": "Message copié"}},
    "nl": {"chatbot": {"copy_message": "Bericht kopiëren", "copied_message": "Bericht gekopieerd"}},
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
