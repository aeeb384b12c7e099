"""Set-up: create a workshop, then shape it: partners and their people, topics, decision rule."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import streamlit as st
from sqlmodel import Session

from models import library, prework, setup
from models.db import reading
from models.export_json import import_workshop
from models.overview import PartnerView, SetupView, setup_view
from models.palette import PARTNER_COLOURS, colour_name, next_free_colour
from models.schema import LinkPurpose, Participant, RatingsBy, Topic, TopicKind, Workshop
from models.validation import EARLIEST, LATEST
from ui import projector
from ui.chrome import current_workshop_id
from ui.forms import (
    conflict_buttons,
    field_error,
    fill,
    filled_version,
    form_error,
    pick_one,
    refill,
    save,
    seed,
    show_conflict,
)
from ui.labels import (
    BLOCK_FROM,
    PARTNER_KINDS,
    RATINGS_BY,
    TOPIC_KINDS,
    decision_rule_sentence,
)
from ui.partners import chip
from ui.state import engine, form_errors, require, show_flash
from ui.text import plain

COLOUR_NAMES = list(PARTNER_COLOURS)
TOPIC_LABELS = {"title": "Title", "category": "Category", "kind": "What the partners agree on",
                "unit": "Unit", "lower_bound": "Lowest sensible value",
                "upper_bound": "Highest sensible value", "options": "Options",
                "description": "What the room has to decide"}


def actor() -> str:
    return require("facilitator").actor


# --- a new workshop ----------------------------------------------------------------------------


def new_workshop_form() -> None:
    errors = form_errors("new")
    st.subheader("A new workshop")
    seed("new_date", date.today() + timedelta(days=14))
    st.text_input("Partnership name", key="new_name",
                  placeholder="e.g. Northside Integrated Care Partnership")
    field_error(errors, "name")
    st.date_input("Workshop date", key="new_date", min_value=EARLIEST,
                  max_value=LATEST)
    field_error(errors, "held_on")
    st.number_input("How many partner organizations?", min_value=setup.MIN_PARTNERS,
                    max_value=setup.MAX_PARTNERS, value=2, step=1, key="new_count")
    field_error(errors, "partners")
    for i in range(int(st.session_state["new_count"])):
        partner_fields(f"new_p{i}", errors, f"partners.{i}.", default_colour=COLOUR_NAMES[i])
    st.caption("You add each partner's people, the topics and the decision rule next.")
    form_error(errors)
    left, right = st.columns([1, 4])
    left.button("Create workshop", type="primary", on_click=create_workshop)
    right.button("Cancel", on_click=st.session_state.pop, args=("creating", None))
    import_form()


def import_form() -> None:
    """A workshop back from its JSON backup, as a new workshop: a template or a restore."""
    with st.expander("Or import a workshop from a JSON backup"):
        st.file_uploader("JSON backup from a Summary page", type=["json"], key="import_file")
        field_error(form_errors("import"), "file")
        st.button("Import as a new workshop", key="import_go", on_click=import_backup,
                  disabled=st.session_state.get("import_file") is None)


def import_backup() -> None:
    upload = st.session_state.get("import_file")
    if upload is None:
        return
    data = upload.getvalue()
    created = {}

    def write(session: Session) -> None:
        created["id"] = import_workshop(session, data, actor=actor())

    if save("import", write, "Workshop imported from the backup."):
        st.session_state.pop("creating", None)
        st.session_state["workshop_id"] = created["id"]


def partner_fields(prefix: str, errors: dict, error_prefix: str = "",
                   default_colour: str = COLOUR_NAMES[0]) -> None:
    seed(f"{prefix}_colour", default_colour)
    name, kind, colour = st.columns([3, 2, 2])
    with name:
        st.text_input("Organization name", key=f"{prefix}_name")
        field_error(errors, f"{error_prefix}name")
    with kind:
        st.selectbox("Kind", list(PARTNER_KINDS), format_func=PARTNER_KINDS.__getitem__,
                     key=f"{prefix}_kind")
        field_error(errors, f"{error_prefix}kind")
    with colour:
        st.selectbox("Colour", COLOUR_NAMES, key=f"{prefix}_colour")
        field_error(errors, f"{error_prefix}colour")


def partner_data(prefix: str) -> dict:
    return {"name": st.session_state[f"{prefix}_name"], "kind": st.session_state[f"{prefix}_kind"],
            "colour": PARTNER_COLOURS[st.session_state[f"{prefix}_colour"]]}


def create_workshop() -> None:
    count = int(st.session_state["new_count"])
    workshop = {"name": st.session_state["new_name"], "held_on": st.session_state["new_date"]}
    partners = [partner_data(f"new_p{i}") for i in range(count)]
    created = {}

    def write(session: Session) -> None:
        created["id"] = setup.create_workshop(session, workshop=workshop, partners=partners,
                                              actor=actor()).id

    if save("new", write, f"Workshop “{workshop['name'].strip()}” created. Add its people and "
                          "topics below."):
        for key in [k for k in st.session_state if str(k).startswith("new_")]:
            del st.session_state[key]
        st.session_state.pop("creating", None)
        st.session_state["workshop_id"] = created["id"]


# --- the workshop itself -----------------------------------------------------------------------


def workshop_tab(view: SetupView) -> None:
    workshop = view.workshop
    errors = form_errors("workshop")
    prefix = f"ws{workshop.id}"
    fill(prefix, workshop.id, {"name": workshop.name, "date": workshop.held_on},
         workshop.version)
    st.text_input("Partnership name", key=f"{prefix}_name")
    field_error(errors, "name")
    st.date_input("Workshop date", key=f"{prefix}_date", min_value=EARLIEST,
                  max_value=LATEST)
    field_error(errors, "held_on")
    theirs = show_conflict("workshop", {"name": "Partnership name", "held_on": "Workshop date"},
                           workshop_data(prefix))
    form_error(errors)
    if theirs:
        conflict_buttons("workshop", prefix, theirs, lambda: save_workshop(workshop.id))
    else:
        st.button("Save", type="primary", key=f"{prefix}_save", on_click=save_workshop,
                  args=(workshop.id,))
    st.divider()
    with st.expander("Delete this workshop"):
        st.write("This removes the workshop and everything recorded in it: partners, pre-work, "
                 "rounds, ratings and agreements. It cannot be undone.")
        st.checkbox(f"Yes, delete “{workshop.name}”", key=f"{prefix}_confirm_delete")
        st.button("Delete workshop", key=f"{prefix}_delete", on_click=delete_workshop,
                  args=(workshop.id,), disabled=not st.session_state[f"{prefix}_confirm_delete"])


def workshop_data(prefix: str) -> dict:
    return {"name": st.session_state[f"{prefix}_name"],
            "held_on": st.session_state[f"{prefix}_date"]}


def save_workshop(workshop_id: int) -> None:
    prefix = f"ws{workshop_id}"
    data = workshop_data(prefix)
    if save("workshop", lambda s: setup.update_workshop(
            s, workshop_id=workshop_id, data=data, expected_version=filled_version(prefix),
            actor=actor()), "Workshop saved."):
        refill(prefix)


def delete_workshop(workshop_id: int) -> None:
    if save("workshop", lambda s: setup.delete_workshop(s, workshop_id=workshop_id,
                                                        actor=actor()), "Workshop deleted."):
        st.session_state.pop("workshop_id", None)


# --- partners and their people -----------------------------------------------------------------


def partners_tab(view: SetupView) -> None:
    st.write(f"{len(view.partners)} partner organizations (a workshop has "
             f"{setup.MIN_PARTNERS} to {setup.MAX_PARTNERS}).")
    for partner_view in view.partners:
        partner = partner_view.partner
        people = len(partner_view.people)
        label = (f"{partner.name} · {PARTNER_KINDS[partner.kind]} · {colour_name(partner.colour)}"
                 f" · {people} {'person' if people == 1 else 'people'}")
        with st.expander(label, expanded=people == 0):
            partner_editor(partner_view)
    if len(view.partners) < setup.MAX_PARTNERS:
        add_partner_form(view)


def partner_editor(partner_view: PartnerView) -> None:
    partner = partner_view.partner
    prefix = f"partner{partner.id}"
    errors = form_errors(prefix)
    fill(prefix, partner.id, {"name": partner.name, "kind": partner.kind,
                              "colour": colour_name(partner.colour)}, partner.version)
    partner_fields(prefix, errors)
    theirs = show_conflict(prefix, {"name": "Organization name", "kind": "Kind",
                                    "colour": "Colour"}, partner_data(prefix),
                           words={"kind": lambda kind: PARTNER_KINDS.get(kind, "(empty)"),
                                  "colour": lambda colour: colour_name(colour or "")})
    form_error(errors)
    if theirs:
        conflict_buttons(prefix, prefix, theirs, lambda: save_partner(partner.id))
    else:
        st.button("Save partner", key=f"{prefix}_save", on_click=save_partner,
                  args=(partner.id,))
    st.markdown("**The people who represent it**")
    if not partner_view.people:
        st.caption("Nobody yet. Add the people who will speak for this partner.")
    for person in partner_view.people:
        person_editor(person)
    st.caption("Add a person")
    person_fields(f"person_new{partner.id}")
    st.button("Add person", key=f"person_new{partner.id}_add", on_click=add_person,
              args=(partner.id,))
    with st.popover("Remove this partner"):
        st.write(f"This removes {partner.name}, its people and everything it wrote.")
        st.checkbox("Yes, remove it", key=f"{prefix}_confirm_delete")
        st.button("Remove partner", key=f"{prefix}_delete", on_click=remove_partner,
                  args=(partner.id, partner.name),
                  disabled=not st.session_state[f"{prefix}_confirm_delete"])


PERSON_LABELS = {"name": "Name", "role": "Role", "email": "Email"}


def person_editor(person: Participant) -> None:
    prefix = f"person{person.id}"
    fill(prefix, person.id, {field: getattr(person, field) for field in PERSON_LABELS},
         person.version)
    person_fields(prefix)
    theirs = show_conflict(prefix, PERSON_LABELS, person_data(prefix))
    if theirs:
        conflict_buttons(prefix, prefix, theirs, lambda: save_person(person.id))
        return
    save_col, remove_col, _ = st.columns([1, 1, 4])
    save_col.button("Save", key=f"{prefix}_save", on_click=save_person, args=(person.id,))
    remove_col.button("Remove", key=f"{prefix}_remove", on_click=remove_person,
                      args=(person.id, person.name))


def person_data(prefix: str) -> dict:
    return {field: st.session_state.get(f"{prefix}_{field}", "") for field in PERSON_LABELS}


def person_fields(prefix: str) -> None:
    errors = form_errors(prefix)
    name, role, email = st.columns(3)
    with name:
        st.text_input("Name", key=f"{prefix}_name")
        field_error(errors, "name")
    with role:
        st.text_input("Role", key=f"{prefix}_role", placeholder="e.g. Clinical director")
        field_error(errors, "role")
    with email:
        st.text_input("Email", key=f"{prefix}_email")
        field_error(errors, "email")
    form_error(errors)


def add_partner_form(view: SetupView) -> None:
    st.markdown("#### Add a partner")
    errors = form_errors("partner_new")
    taken = {pv.partner.colour for pv in view.partners}
    partner_fields("partner_new", errors, default_colour=colour_name(next_free_colour(taken)))
    form_error(errors)
    st.button("Add partner", key="partner_new_add", on_click=add_partner,
              args=(view.workshop.id,))


def save_partner(partner_id: int) -> None:
    prefix = f"partner{partner_id}"
    data = partner_data(prefix)
    if save(prefix, lambda s: setup.update_partner(
            s, partner_id=partner_id, data=data, expected_version=filled_version(prefix),
            actor=actor()), f"{data['name'].strip()} saved."):
        refill(prefix)


def add_partner(workshop_id: int) -> None:
    data = partner_data("partner_new")
    if save("partner_new", lambda s: setup.add_partner(s, workshop_id=workshop_id, data=data,
                                                       actor=actor()),
            f"{data['name'].strip()} added."):
        for field in ("name", "kind", "colour"):
            st.session_state.pop(f"partner_new_{field}", None)


def remove_partner(partner_id: int, name: str) -> None:
    save(f"partner{partner_id}", lambda s: setup.delete_partner(s, partner_id=partner_id,
                                                                actor=actor()),
         f"{name} removed.")


def add_person(partner_id: int) -> None:
    prefix = f"person_new{partner_id}"
    data = person_data(prefix)
    if save(prefix, lambda s: setup.add_participant(s, partner_id=partner_id, data=data,
                                                    actor=actor()),
            f"{data['name'].strip()} added."):
        for field in PERSON_LABELS:
            st.session_state[f"{prefix}_{field}"] = ""


def save_person(person_id: int) -> None:
    prefix = f"person{person_id}"
    data = person_data(prefix)
    if save(prefix, lambda s: setup.update_participant(
            s, participant_id=person_id, data=data, expected_version=filled_version(prefix),
            actor=actor()), f"{data['name'].strip()} saved."):
        refill(prefix)


def remove_person(person_id: int, name: str) -> None:
    save(f"person{person_id}", lambda s: setup.delete_participant(s, participant_id=person_id,
                                                                  actor=actor()),
         f"{name} removed.")


# --- topics ------------------------------------------------------------------------------------


def topics_tab(view: SetupView) -> None:
    workshop_id = view.workshop.id
    st.write(f"{len(view.topics)} topics to negotiate.")
    library_picker(view)
    with st.expander("Write a new topic", expanded=False):
        errors = form_errors("topic_new")
        topic_fields("topic_new", errors)
        form_error(errors)
        st.button("Add topic", key="topic_new_add", on_click=add_topic, args=(workshop_id,))
    for category in library.CATEGORIES + tuple(sorted(
            {t.category for t in view.topics} - set(library.CATEGORIES))):
        topics = [t for t in view.topics if t.category == category]
        if topics:
            st.markdown(f"#### {category.capitalize()}\n\n" + "\n".join(
                f"- {plain(t.title)} · {plain(topic_summary(t))}" for t in topics))
    if view.topics:
        chosen = pick_one("Change or remove a topic",
                          {t.id: f"{t.title} · {topic_summary(t)}" for t in view.topics},
                          "topic_pick")
        if chosen is not None:
            with st.container(border=True):
                topic_editor(next(t for t in view.topics if t.id == chosen))


def library_picker(view: SetupView) -> None:
    present = {t.library_key for t in view.topics}
    choices = [key for key in library.topics() if key not in present]
    entries = library.topics()
    st.multiselect("Add topics from the library", choices, key="library_pick",
                   format_func=lambda k: f"{entries[k].category.capitalize()} · {entries[k].title}",
                   placeholder="Choose one or more topics")
    field_error(form_errors("library"), "library")
    st.button("Add the chosen topics", key="library_add", on_click=add_library_topics,
              args=(view.workshop.id,), disabled=not st.session_state.get("library_pick"))


def library_notes(library_key: str | None) -> None:
    """What the library knows of a topic: where partners usually flex, which rules usually bind."""
    entry = library.topics().get(library_key or "")
    if entry is None:
        return
    if entry.typical_flex:
        st.caption(f"Where partners usually have room: {entry.typical_flex}")
    rules = [library.constraints()[key] for key in entry.usual_constraints]
    if rules:
        st.caption("Rules that often bind it: "
                   + "; ".join(f"{rule.title} ({rule.citation})" for rule in rules))


def topic_summary(topic: Topic) -> str:
    if topic.kind == TopicKind.NUMERIC:
        return f"{topic.lower_bound:g} to {topic.upper_bound:g} {topic.unit}".strip()
    if topic.kind == TopicKind.OPTIONS:
        return f"{len(topic.options)} options"
    return "free text"


def topic_fields(prefix: str, errors: dict) -> None:
    seed(f"{prefix}_category", library.CATEGORIES[0])
    seed(f"{prefix}_kind", TopicKind.NUMERIC)
    st.text_input("Title", key=f"{prefix}_title")
    field_error(errors, "title")
    st.selectbox("Category", library.CATEGORIES, key=f"{prefix}_category",
                 format_func=str.capitalize)
    st.radio("What the partners agree on", list(TOPIC_KINDS), key=f"{prefix}_kind",
             format_func=TOPIC_KINDS.__getitem__, horizontal=True)
    field_error(errors, "kind")
    kind = st.session_state[f"{prefix}_kind"]
    if kind == TopicKind.NUMERIC:
        unit, low, high = st.columns(3)
        with unit:
            st.text_input("Unit", key=f"{prefix}_unit", placeholder="e.g. minutes")
            field_error(errors, "unit")
        with low:
            st.number_input("Lowest sensible value", key=f"{prefix}_lower", value=None,
                            format="%g")
            field_error(errors, "lower_bound")
        with high:
            st.number_input("Highest sensible value", key=f"{prefix}_upper", value=None,
                            format="%g")
            field_error(errors, "upper_bound")
    elif kind == TopicKind.OPTIONS:
        st.text_area("Options, one per line", key=f"{prefix}_options")
        field_error(errors, "options")
    st.text_area("What the room has to decide (optional)", key=f"{prefix}_description")
    field_error(errors, "description")


def topic_data(prefix: str) -> dict:
    state = st.session_state
    return {"title": state.get(f"{prefix}_title", ""), "category": state[f"{prefix}_category"],
            "kind": state[f"{prefix}_kind"], "unit": state.get(f"{prefix}_unit", ""),
            "lower_bound": state.get(f"{prefix}_lower"),
            "upper_bound": state.get(f"{prefix}_upper"),
            "options": setup.options_from_lines(state.get(f"{prefix}_options", "")),
            "description": state.get(f"{prefix}_description", "")}


def topic_editor(topic: Topic) -> None:
    prefix = f"topic{topic.id}"
    errors = form_errors(prefix)
    fill(prefix, topic.id, {"title": topic.title, "category": topic.category,
                            "kind": topic.kind, "unit": topic.unit, "lower": topic.lower_bound,
                            "upper": topic.upper_bound, "options": "\n".join(topic.options),
                            "description": topic.description}, topic.version)
    library_notes(topic.library_key)
    topic_fields(prefix, errors)
    theirs = show_conflict(prefix, TOPIC_LABELS, topic_data(prefix), words={
        "kind": lambda kind: TOPIC_KINDS.get(kind, "(empty)")})
    form_error(errors)
    if theirs:
        conflict_buttons(prefix, prefix, theirs, lambda: save_topic(topic.id))
    save_col, remove_col = st.columns([1, 1])
    if not theirs:
        save_col.button("Save topic", key=f"{prefix}_save", on_click=save_topic,
                        args=(topic.id,))
    remove_col.button("Remove topic", key=f"{prefix}_remove", on_click=remove_topic,
                      args=(topic.id, topic.title))


def add_topic(workshop_id: int) -> None:
    data = topic_data("topic_new")
    if save("topic_new", lambda s: setup.add_topic(s, workshop_id=workshop_id, data=data,
                                                   actor=actor()),
            f"Topic “{data['title'].strip()}” added."):
        for key in [k for k in st.session_state if str(k).startswith("topic_new_")]:
            del st.session_state[key]


def add_library_topics(workshop_id: int) -> None:
    keys = list(st.session_state.get("library_pick", []))
    if save("library", lambda s: setup.add_library_topics(s, workshop_id=workshop_id, keys=keys,
                                                          actor=actor()),
            f"{len(keys)} topic{'s' if len(keys) != 1 else ''} added from the library."):
        st.session_state["library_pick"] = []


def save_topic(topic_id: int) -> None:
    prefix = f"topic{topic_id}"
    data = topic_data(prefix)
    if save(prefix, lambda s: setup.update_topic(
            s, topic_id=topic_id, data=data, expected_version=filled_version(prefix),
            actor=actor()), f"Topic “{data['title'].strip()}” saved."):
        refill(prefix)


def remove_topic(topic_id: int, title: str) -> None:
    save(f"topic{topic_id}", lambda s: setup.delete_topic(s, topic_id=topic_id, actor=actor()),
         f"Topic “{title}” removed.")


# --- the decision rule -------------------------------------------------------------------------


def decision_rule_tab(view: SetupView, ratings_given: int) -> None:
    workshop = view.workshop
    prefix = f"rule{workshop.id}"
    errors = form_errors("rule")
    st.info(decision_rule_sentence(workshop.rule_min_support, workshop.rule_block_from))
    locked = ratings_given > 0
    if locked:
        st.caption("Ratings have been given, so the rule stays as it is for this workshop.")
    fill(prefix, workshop.id, {"support": round(workshop.rule_min_support * 100),
                               "block": workshop.rule_block_from, "by": workshop.ratings_by},
         workshop.version)
    st.slider("Share of ratings that must be 1 to 3 (support)", min_value=50, max_value=100,
              step=5, format="%d %%", key=f"{prefix}_support", disabled=locked)
    field_error(errors, "min_support_percent")
    st.radio("Which ratings stop consensus", list(BLOCK_FROM), key=f"{prefix}_block",
             format_func=BLOCK_FROM.__getitem__, disabled=locked)
    field_error(errors, "block_from")
    st.radio("Who rates", list(RatingsBy), key=f"{prefix}_by", format_func=RATINGS_BY.__getitem__,
             horizontal=True, disabled=locked)
    theirs = show_conflict("rule", {"rule_min_support": "Support", "rule_block_from":
                                    "Which ratings stop consensus", "ratings_by": "Who rates"},
                           {"rule_min_support": st.session_state[f"{prefix}_support"] / 100,
                            "rule_block_from": st.session_state[f"{prefix}_block"],
                            "ratings_by": st.session_state[f"{prefix}_by"]},
                           words={"rule_min_support": lambda share: f"{share * 100:g} %",
                                  "rule_block_from": lambda block: BLOCK_FROM.get(block, ""),
                                  "ratings_by": lambda by: RATINGS_BY.get(by, "")})
    form_error(errors)
    if theirs:
        conflict_buttons("rule", prefix, theirs, lambda: save_rule(workshop.id),
                         disabled=locked)
    else:
        st.button("Save the decision rule", key=f"{prefix}_save", on_click=save_rule,
                  args=(workshop.id,), disabled=locked)


def save_rule(workshop_id: int) -> None:
    prefix = f"rule{workshop_id}"
    data = {"min_support_percent": st.session_state[f"{prefix}_support"],
            "block_from": st.session_state[f"{prefix}_block"],
            "ratings_by": st.session_state[f"{prefix}_by"]}
    if save("rule", lambda s: setup.set_decision_rule(
            s, workshop_id=workshop_id, data=data, expected_version=filled_version(prefix),
            actor=actor()), "Decision rule saved."):
        refill(prefix)


# --- pre-work: links, tracker and the lock -------------------------------------------------------


def prework_tab(view: SetupView) -> None:
    workshop = view.workshop
    with reading(engine()) as session:
        report = prework.progress(session, workshop.id)
        live = prework.live_links(session, workshop.id)
    links = {link.partner_id: link for link in live if link.purpose == LinkPurpose.PREWORK}
    review = next((link for link in live if link.purpose == LinkPurpose.REVIEW), None)
    if workshop.prework_locked:
        st.info("Pre-work is locked: partners can read their answers but not change them.")
        st.button("Unlock pre-work", key="prework_unlock", on_click=set_lock,
                  args=(workshop.id, False))
    else:
        st.write("Each partner fills in its pre-work through its own private link. Lock "
                 "pre-work when the workshop starts, so answers stop moving.")
        st.button("Lock pre-work", key="prework_lock", on_click=set_lock,
                  args=(workshop.id, True))
    form_error(form_errors("links"))
    for item in report:
        partner_prework(workshop, item, links.get(item.partner.id))
    review_link(workshop, review)


def partner_prework(workshop: Workshop, item: prework.PartnerProgress,
                    link: prework.LinkStatus | None) -> None:
    partner = item.partner
    st.html(chip(partner.name, partner.colour))
    state, activity, link_state = st.columns(3)
    state.markdown(f"**{item.state.capitalize()}**")
    activity.write("Last activity: " + (when(item.last_activity_at) if item.last_activity_at
                                        else "none yet"))
    link_state.write(link_words(link))
    if item.note_to_facilitator and not projector.is_on():
        st.markdown(f"**Their note to you:** {plain(item.note_to_facilitator)}")
    show_new_link(f"new_link_{partner.id}", "Send it to this partner only.")
    create, revoke, days = st.columns([2, 2, 3], vertical_alignment="bottom")
    days.number_input("Link works for (days, empty: until revoked)", min_value=1,
                      max_value=365, value=None, step=1, key=f"link_days_{partner.id}")
    create.button("Replace the link" if link else "Create a link", key=f"link_new_{partner.id}",
                  on_click=make_link, args=(workshop.id, partner.id))
    revoke.button("Revoke the link", key=f"link_revoke_{partner.id}", disabled=link is None,
                  on_click=stop_link, args=(workshop.id, partner.id))
    missing = [entry for section in item.sections for entry in section.missing]
    if missing and item.submitted_at is None:
        with st.expander("Reminder to send"):
            st.code(prework.reminder_text(workshop, item), language=None)
    st.divider()


def review_link(workshop: Workshop, link: prework.LinkStatus | None) -> None:
    """The leadership review link: read-only, for the partners' leaders after the workshop."""
    st.subheader("Leadership review link")
    st.write("One link for the partners' leaders to read what the workshop agreed. It is "
             "read-only and opens nothing else.")
    st.write(link_words(link))
    show_new_link("new_review_link", "Send it to the partners' leaders only.")
    create, revoke, days = st.columns([2, 2, 3], vertical_alignment="bottom")
    days.number_input("Link works for (days, empty: until revoked)", min_value=1,
                      max_value=365, value=None, step=1, key="review_link_days")
    create.button("Replace the review link" if link else "Create the review link",
                  key="review_link_new", on_click=make_review_link, args=(workshop.id,))
    revoke.button("Revoke the review link", key="review_link_revoke", disabled=link is None,
                  on_click=stop_review_link, args=(workshop.id,))


def show_new_link(key: str, who: str) -> None:
    """A link just made, shown once: it is not stored, so the next run forgets it for good.
    Never on the projector, where the room would see it; it waits until the projector is off."""
    if key not in st.session_state:
        return
    if projector.is_on():
        st.info("A new link is ready. Turn projector mode off to see it.")
        return
    st.warning(f"Copy it now: it will not be shown again. {who}")
    st.code(link_url(st.session_state.pop(key)), language=None)


def link_words(link: prework.LinkStatus | None) -> str:
    if link is None:
        return "No working link."
    until = f", until {when(link.expires_at)}" if link.expires_at else ""
    return f"Link made {when(link.created_at)}{until}."


def link_url(token: str) -> str:
    """The full link; st.context.url is the app's address without the page's path."""
    return f"{(st.context.url or 'http://localhost:8501').rstrip('/')}/?link={token}"


def when(moment: datetime) -> str:
    zone = st.context.timezone
    local = moment.astimezone(ZoneInfo(zone)) if zone else moment
    return f"{local:%d %b %Y, %H:%M}"


def make_link(workshop_id: int, partner_id: int) -> None:
    days = st.session_state.get(f"link_days_{partner_id}")
    issued = {}

    def write(session: Session) -> None:
        issued["token"] = prework.issue_link(
            session, workshop_id=workshop_id, purpose=LinkPurpose.PREWORK, actor=actor(),
            partner_id=partner_id, valid_days=int(days) if days else None)

    if save("links", write, "New link made. Any earlier link for this partner stopped working."):
        st.session_state[f"new_link_{partner_id}"] = issued["token"]


def make_review_link(workshop_id: int) -> None:
    days = st.session_state.get("review_link_days")
    issued = {}

    def write(session: Session) -> None:
        issued["token"] = prework.issue_link(
            session, workshop_id=workshop_id, purpose=LinkPurpose.REVIEW, actor=actor(),
            partner_id=None, valid_days=int(days) if days else None)

    if save("links", write, "New review link made. Any earlier review link stopped working."):
        st.session_state["new_review_link"] = issued["token"]


def stop_review_link(workshop_id: int) -> None:
    st.session_state.pop("new_review_link", None)
    save("links", lambda s: prework.revoke_links(s, workshop_id=workshop_id,
                                                 purpose=LinkPurpose.REVIEW, actor=actor()),
         "Review link revoked: it no longer opens anything.")


def stop_link(workshop_id: int, partner_id: int) -> None:
    st.session_state.pop(f"new_link_{partner_id}", None)
    save("links", lambda s: prework.revoke_links(s, workshop_id=workshop_id,
                                                 purpose=LinkPurpose.PREWORK, actor=actor(),
                                                 partner_id=partner_id),
         "Link revoked: it no longer opens anything.")


def set_lock(workshop_id: int, locked: bool) -> None:
    save("links", lambda s: prework.set_locked(s, workshop_id=workshop_id, locked=locked,
                                               actor=actor()),
         "Pre-work locked." if locked else "Pre-work unlocked: partners can change it again.")


# --- the screen --------------------------------------------------------------------------------

require("facilitator")
st.title("Set-up")
show_flash()
workshop_id = current_workshop_id()
if workshop_id is None or st.session_state.get("creating"):
    new_workshop_form()
    st.stop()

with reading(engine()) as session:
    view = setup_view(session, workshop_id)
    ratings_given = setup.count_ratings(session, workshop_id)
if view is None:
    st.session_state.pop("workshop_id", None)
    st.rerun()

with st.expander("Questions to settle before the workshop"):
    guidance = library.guidance()["setup"]
    st.write(guidance.purpose)
    st.markdown("\n".join(f"- {question}" for question in guidance.questions))

heading, new = st.columns([4, 1])
heading.subheader(f"{view.workshop.name} · {view.workshop.held_on:%d %B %Y}")
new.button("New workshop", on_click=st.session_state.__setitem__, args=("creating", True))
if len(view.partners) < setup.MIN_PARTNERS:
    st.warning(f"This workshop needs at least {setup.MIN_PARTNERS} partners.")
workshop, partners, topics, rule, links = st.tabs(["Workshop", "Partners and people", "Topics",
                                                   "Decision rule", "Pre-work and links"])
with workshop:
    workshop_tab(view)
with partners:
    partners_tab(view)
with topics:
    topics_tab(view)
with rule:
    decision_rule_tab(view, ratings_given)
with links:
    prework_tab(view)
