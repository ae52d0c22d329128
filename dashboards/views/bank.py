"""Project bank & siting (项目库与选址): capacity on a map, ranked candidates for a case, the
split proposal, and reserve / release."""
import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from dashboards import access_panels, bank_panels, data, maps, state
from dashboards.case_panels import allocations_view, scenario_source
from dashboards.i18n import money, number, text, unit_word, vocab, vocab_code
from dashboards.ui import (T, empty_state, flash, form_key, issue_text, lang, md, require_staff, rows_height,
                           show_flash, shown_errors, submission_refused, submitted_once, user)
from restoration import bank as bank_api
from restoration.bank.review import DECISIONS as REVIEW_DECISIONS, MAX_NOTE as REVIEW_NOTE_MAX, finding_text
from restoration.errors import InputError
from restoration.cases.events import END_STAGES
from restoration.model import EcosystemType, ProjectStatus, Stage

#: the best candidates marked on the map, which fits them and the case's damaged site
TOP_CANDIDATES = 3
#: a case that has ended gets no more capacity (the ledger refuses it; the page does not offer it)
ENDED = {s.value for s in END_STAGES}

require_staff()
L = lang()
st.title(T("page.bank"))
show_flash()

table = data.bank_table()
if len(table):
    table = table.assign(remaining_fraction=(table["remaining"] / table["capacity"]).where(table["capacity"] > 0))
cases = data.cases()
sites = data.sites()

if table.empty:
    empty_state("empty.no_bank", "empty.no_bank_how")
if cases.empty:
    empty_state("empty.no_cases", "empty.no_cases_how")

ranking = None
if len(cases) and len(table):  # nothing to site a case on: no case choice, no weights
    alt = cases[cases["restoration_modes"].map(lambda m: "alternative" in (m or []))]["case_id"].tolist()
    options = alt + [c for c in cases["case_id"] if c not in alt]
    titles = cases.set_index("case_id")["title"]
    case_id = st.selectbox(T("bank.case"), options, key=state.BANK_CASE,
                           format_func=lambda c: f"{c} · {text(titles.get(c))}")

    with st.expander(T("bank.weights")):
        w = st.columns(5)
        weights = {k: w[i].slider(T(f"bank.w_{k}"), 0.0, 1.0, v, 0.05, key=f"w_{k}")
                   for i, (k, v) in enumerate({"cost": 0.35, "distance": 0.2, "time": 0.15, "match": 0.2,
                                                "locality": 0.1}.items())}
    try:
        ranking = data.ranking(case_id, weights)
    except InputError as exc:
        # expected on a user's own data: say what is missing for this case, no traceback
        st.warning(T("bank.cannot_rank") + "\n\n" + "\n".join(f"- {md(issue_text(i))}" for i in exc.issues),
                   icon=":material/warning:")

damaged = sites[sites["site_id"].isin(ranking["site_ids"])] if ranking else sites.iloc[0:0]
top = []
if ranking:  # the map fits the damaged site and these best candidates (see maps.bank_map)
    rank = ranking["table"]
    top = rank[rank["eligible"]].head(TOP_CANDIDATES)["project_id"].tolist()
if len(table) or len(damaged) or len(data.counties()):  # nothing to draw: no empty map
    m = maps.bank_map(table if len(table) else table.iloc[0:0], lang=L, damaged=damaged, highlight=top,
                      counties=data.counties(), watersheds=data.watersheds())
    st_folium(m, height=480, use_container_width=True, returned_objects=[], key="bank_map")

def reserve_form(rank, case_id: str) -> None:
    """Reserve capacity of an eligible project. A refused write (the ledger's rules, someone
    else's reservation first) shows its message here; the sections around it stay."""
    eligible = rank[rank["eligible"] & (rank["remaining"] > 0)]
    if eligible.empty:
        st.info(T("empty.no_eligible"), icon=":material/info:")
        return
    names = eligible.set_index("project_id")["name"]
    form = f"reserve_{case_id}"
    with st.form(form_key(form)):
        project = st.selectbox(T("bank.project"), eligible["project_id"].tolist(),
                               format_func=lambda p: f"{p} · {text(names.get(p))}")
        row = eligible.set_index("project_id").loc[project]
        suggested = float(min(row["needed_amount"], row["remaining"]))
        amount = st.number_input(T("bank.amount_unit", unit=unit_word(row["capacity_unit"], L)), min_value=0.0,
                                 value=round(suggested, 3), format="%.3f")
        go = st.form_submit_button(T("bank.reserve_button"), icon=":material/bookmark_add:")
    if go and amount <= 0:
        st.error(T("bank.amount_positive"))
    elif go and (request := submitted_once(form)):
        with shown_errors():
            done = bank_api.reserve(data.store(), project, case_id, amount, actor=data.actor(), request_id=request)
            flash(T("bank.reserved", id=done["allocation_id"], project=project,
                    amount=f"{amount:,.3f} {unit_word(row['capacity_unit'], L)}"))
            st.rerun()


def held_section(held, case_id: str, may_allocate: bool) -> None:
    """The case's reservations and the release form (a refused release keeps both on the page)."""
    if not len(held):
        return
    st.subheader(T("bank.allocations"))
    st.dataframe(allocations_view(held, L), hide_index=True, width="stretch")
    if not may_allocate:
        return
    form = f"release_{case_id}"
    with st.form(form_key(form)):
        alloc = st.selectbox(T("bank.allocation"), held["allocation_id"].tolist())
        go = st.form_submit_button(T("bank.release_button"), icon=":material/bookmark_remove:")
    if go and (request := submitted_once(form)):
        with shown_errors():
            bank_api.release(data.store(), alloc, actor=data.actor(), request_id=request)
            flash(T("bank.released", id=alloc))
            st.rerun()


if ranking:
    rank = ranking["table"]
    c = st.columns(3)
    c[0].metric(T("bank.debit"), number(ranking["debit"], 2, T("unit.ha_yr")))
    c[1].metric(T("bank.covered"), f"{ranking['covered_fraction'] * 100:,.0f}%")
    c[2].metric(T("bank.scenario_source"), scenario_source(ranking["scenario_source"], L))

    st.subheader(T("bank.candidates"))
    st.dataframe(bank_panels.candidates_view(rank, L), hide_index=True, width="stretch",
                 height=rows_height(len(rank)))
    split = ranking["split"]
    if split is not None and len(split):
        st.subheader(T("bank.split"))
        st.dataframe(bank_panels.split_view(split, L), hide_index=True, width="stretch")
        if ranking["shortfall"] > 1e-9:
            st.warning(T("bank.shortfall", pct=f"{ranking['shortfall'] * 100:.0f}"))

    st.subheader(T("bank.reserve"))
    may_allocate = access_panels.gate("bank.allocate", L, case_id=case_id)  # else: why not
    stage = cases.set_index("case_id")["stage"].get(case_id)
    if may_allocate and stage in ENDED:
        st.info(T("bank.case_ended", stage=vocab(Stage, stage, L)), icon=":material/info:")
    elif may_allocate:
        reserve_form(rank, case_id)
    held_section(ranking["covered"], case_id, may_allocate)

def review_form(table, reviews) -> None:
    """The polygon review of one project: its checks' findings, its current status and the
    decision form (approved / needs changes, with a note) for users who may act on the registry."""
    st.subheader(T("bank.review"))
    names = table.set_index("project_id")["name"]
    project = st.selectbox(T("bank.review_project"), table["project_id"].tolist(), key="bank_review_project",
                           format_func=lambda p: f"{p} · {text(names.get(p))}")
    now = reviews.set_index("project_id").loc[project].to_dict() if project in set(reviews["project_id"]) else None
    if now is None:
        st.caption(T("bank.review_none"))
    else:
        st.caption(T("bank.review_last", status=vocab_code("polygon_review", now["review_status"], L),
                     who=text(now["reviewed_by"]), when=text(now["reviewed_at"])))
        found = now["findings"] or []
        st.markdown("\n".join(f"- {md(finding_text(f, L))}" for f in found) if found else T("bank.review_no_findings"))
    if not access_panels.gate("bank.registry", L, project_id=project):
        return
    form = f"review_{project}"
    with st.form(form_key(form)):
        decision = st.radio(T("bank.review_decision"), list(REVIEW_DECISIONS), horizontal=True,
                            format_func=lambda c: vocab_code("polygon_review", c, L), key="bank_review_decision")
        note = st.text_area(T("bank.review_note"), max_chars=REVIEW_NOTE_MAX, key="bank_review_note")
        go = st.form_submit_button(T("bank.review_button"), icon=":material/rule:")
    if go and (request := submitted_once(form)):
        done = None
        with shown_errors():
            done = bank_api.set_review(data.store(), project, decision, note=note, actor=data.actor(),
                                       request_id=request)
        if done is None:  # refused, shown above: the same form takes the corrected values
            submission_refused(form, request)
            return
        flash(T("bank.reviewed", project=project, status=vocab_code("polygon_review", decision, L)))
        st.rerun()


st.subheader(T("bank.registry"))
if table.empty:
    st.caption(T("empty.no_bank_short"))
else:
    reviews = data.polygon_reviews()
    review_of = reviews.set_index("project_id")["review_status"]
    units = [unit_word(u, L) for u in table["capacity_unit"]]  # one word per stored unit code
    st.dataframe(pd.DataFrame({
        T("bank.project"): table["project_id"] + " " + table["name"].map(text),
        T("bank.ecosystem"): table["ecosystem_type"].map(lambda v: vocab(EcosystemType, v, L)),
        T("bank.status"): table["status"].map(lambda v: vocab(ProjectStatus, v, L)),
        T("bank.capacity"): [number(v, 2, u) for v, u in zip(table["capacity"], units)],
        T("bank.col_released"): [number(v, 2, u) for v, u in zip(table["released"], units)],
        T("bank.allocated"): [number(v, 2, u) for v, u in zip(table["allocated"], units)],
        T("bank.remaining_released"): [number(v, 2, u) for v, u in zip(table["remaining_released"], units)],
        T("bank.next_milestone"): table["next_milestone"].map(lambda c: vocab_code("bank_milestone", c, L)),
        T("bank.unit_cost"): table["unit_cost_yuan"].map(lambda v: money(v, L)),
        T("bank.operator"): table["operator"].map(text),
        T("bank.review_status"): table["project_id"].map(lambda p: vocab_code("polygon_review", review_of.get(p), L)),
    }), hide_index=True, width="stretch", height=rows_height(len(table)))
    review_form(table, reviews)

deadlines = data.bank_deadlines()
if len(deadlines):
    st.subheader(T("bank.deadlines"))
    st.dataframe(pd.DataFrame({
        T("bank.project"): deadlines["project_id"] + " " + deadlines["name"].map(text),
        T("bank.deadline_what"): [T(f"bank.deadline_{w}", year=y) for w, y in zip(deadlines["what"], deadlines["year"])],
        T("bank.deadline_due"): deadlines["due"],
        T("bank.status"): deadlines["status"].map(lambda c: vocab_code("deadline_status", c, L)),
        T("bank.days_overdue"): [str(d) if d else "—" for d in deadlines["days_overdue"]],
    }), hide_index=True, width="stretch", height=rows_height(len(deadlines)))
