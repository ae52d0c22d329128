"""Public disclosure (信息公开): read-only, disclosed cases only, personal data masked."""
import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from dashboards import data, maps, procedure_panels
from dashboards.i18n import area, money, text, vocab
from dashboards.ui import T, lang, rows_height
from restoration import disclosure
from restoration.model import CaseClass, RestorationMode, Stage, Verdict

L = lang()


def withheld(value: str) -> str:
    """The disclosure's bilingual "withheld" placeholders in the interface language only."""
    return (value.replace(disclosure.PERSON_PLACEHOLDER, T("public.person_withheld"))
            .replace(disclosure.WITHHELD_PLACEHOLDER, T("public.party_withheld")))


st.title(T("page.public"))
st.caption(T("public.intro"))
# the disclosure functions built these from public forms only; the texts the table and the map's
# tooltips show pass the personal-data detector once more here, where they leave for the browser
cases = disclosure.withhold_personal(data.public_cases(), disclosure.PUBLIC_CASE_FORMS)
sites = disclosure.withhold_personal(data.public_sites(), disclosure.PUBLIC_SITE_FORMS)

c1, c2, c3 = st.columns(3)
c1.metric(T("public.cases"), len(cases))
c2.metric(T("public.restoring"), int(cases["stage"].isin(["restoration", "effect_evaluation"]).sum()))
c3.metric(T("public.closed"), int((cases["stage"] == "closed").sum()))

if cases.empty:
    st.info(T("public.none"), icon=":material/info:")
if len(sites) or len(data.counties()):  # nothing to draw: no empty map
    m = maps.overview_map(sites, cases, colour_by="stage", lang=L,
                          counties=data.counties(), watersheds=data.watersheds())
    st_folium(m, height=420, use_container_width=True, returned_objects=[], key="public_map")

if len(cases):
    table = pd.DataFrame({
        T("field.case_id"): cases["case_id"],
        T("field.title"): (cases["title"] if L == "zh" else cases["title_en"]).map(text),
        T("field.region"): cases["region"].map(text),
        T("field.case_class"): cases["case_class"].map(lambda v: vocab(CaseClass, v, L)),
        T("field.stage"): cases["stage"].map(lambda v: vocab(Stage, v, L)),
        T("field.liable_party"): cases["liable_party"].map(lambda v: withheld(text(v))),
        T("field.damage_amount"): cases["damage_amount_yuan"].map(lambda v: money(v, L)),
        T("field.restoration_modes"): cases["restoration_modes"].map(
            lambda ms: "、".join(vocab(RestorationMode, m, L) for m in (ms or [])) or "—"),
        T("public.effect"): [  # not evaluated: NaN; accepted against the evaluation: said so
            (vocab(Verdict, v, L) if isinstance(v, str) and v else "—") + (T("public.override") if o else "")
            for v, o in zip(cases["effect_verdict"], cases["accepted_by_override"])],
    })
    st.dataframe(table, hide_index=True, width="stretch", height=rows_height(len(table)))
if len(sites):
    st.caption(T("public.area", area=area(sites["area_ha"].sum(), L)))
procedure_panels.public_items(L)  # published agreements, results and fund use

photos = data.public_field_photos()  # thumbnails of photos marked public only, no metadata
if photos:
    st.subheader(T("public.photos"))
    for start in range(0, len(photos), 4):
        for col, p in zip(st.columns(4), photos[start:start + 4]):
            col.image(p["thumbnail"], caption=T("public.photo_caption", case=p["case_id"], day=p["day"] or "—"))
