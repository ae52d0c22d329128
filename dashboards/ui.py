"""Small helpers every page uses: language, labels, the signed-in user, readable errors, empty
states, confirmations that survive a rerun, submission tokens, escaped text, status badges."""
from __future__ import annotations

import logging
import re
import uuid
from contextlib import contextmanager

import streamlit as st

from restoration.errors import ConflictError, InputError, Issue, PermissionDenied, RestorationError

from . import i18n, state

log = logging.getLogger(__name__)


def lang() -> str:
    return st.session_state.get(state.LANG, "zh")


def T(key: str, **fmt) -> str:
    return i18n.t(key, lang(), **fmt)


def user():
    return st.session_state.get(state.USER)


def require_staff() -> None:
    """Stop the page for anyone not signed in (pages are also left out of the navigation)."""
    if user() is None:
        st.error(T("auth.required"))
        st.stop()


def md_text(value) -> str:
    """A stored value shown inside Markdown (st.warning, st.markdown) as plain text: Markdown and
    HTML characters escaped, control characters and line breaks removed, at most 200 characters."""
    text = re.sub(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]", " ", str(value))[:200]
    return re.sub(r"([\\`*_{}\[\]()#+\-.!|<>~&$])", r"\\\1", text)


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#!|>~<$:])")


def md(text) -> str:
    """A user-supplied value made inert inside Streamlit markdown (titles, captions, write):
    HTML and markdown characters are escaped, so it shows as typed and never links or runs."""
    if text is None or (isinstance(text, float) and text != text):
        return "—"
    return _MD_SPECIAL.sub(r"\\\1", str(text).replace("&", "&amp;").replace("<", "&lt;"))


def issue_text(issue) -> str:
    """One input problem (or an error) in the interface language: where it is (case, row, field)
    and what is wrong — worded from the dictionaries when the platform gave it a code
    (:class:`restoration.messages.Message`). Text the platform gave without a code is English:
    the Chinese interface says so in a general sentence and the English goes to the log."""
    from restoration.messages import Message
    L = lang()
    what = getattr(issue, "message", None) if isinstance(issue, (Issue, RestorationError)) else issue
    if what is None and isinstance(issue, RestorationError) and issue.args and isinstance(issue.args[0], Message):
        what = issue.args[0]  # an error raised with a message as its argument (NotFoundError)
    if isinstance(what, Message):
        what = i18n.message(_region_named(what, L), L)
    else:
        what = untranslated(what if what is not None else issue)
    if not isinstance(issue, Issue):
        return what
    d = i18n.dictionary(L)
    where = []
    if issue.source:
        source = issue.source
        where.append(i18n.message(source, L) if isinstance(source, Message) else d.get(f"layer.{source}", str(source)))
    if issue.row is not None:
        where.append(i18n.message(Message(f"where.{issue.row_label}" if issue.row_label in ("line", "feature")
                                          else "where.row", {"n": issue.row}), L))
    if issue.field and not issue.field.startswith("-"):
        label = d.get(f"detail.{issue.field}", issue.field)
        where.append(i18n.message(Message("where.field", {"field": label}), L))
    elif issue.field:
        return str(issue)  # a command-line option: not shown on pages
    sep, colon = ("，", "：") if L == "zh" else (", ", ": ")
    return (sep.join(where) + colon if where else "") + what


def _region_named(m, lang_code: str):
    """A refusal (``denied.by``) with the user's region as its name in the jurisdiction tree
    (``桂西市 / 青岚县``) rather than its code."""
    from restoration.messages import Message, Term
    region = m.params.get("region") if m.code == "denied.by" else None
    if not isinstance(region, Term):
        return m
    try:
        from restoration import access

        from . import data
        label = access.region_tree(data.raw_store()).label(region.code, lang_code)
    except Exception:  # noqa: BLE001 - no store at hand: the code is still a readable answer
        return m
    return Message(m.code, {**m.params, "region": label if label != "—" else region.code})


def untranslated(text) -> str:
    """A message the platform gave only in English (no code): itself in the English interface; in
    the Chinese one a general sentence, with the English in the log for whoever supports the user."""
    if lang() == "en":
        return str(text)
    log.warning("shown without its English detail (no message code): %s", text)
    return T("error.no_detail")


@contextmanager
def shown_errors():
    """Turn the platform's errors into readable messages instead of tracebacks."""
    try:
        yield
    except ConflictError as exc:
        st.warning(f"{T('error.conflict')}{T('punct.colon')}{md(issue_text(exc))}")
    except InputError as exc:
        st.error(T("error.input") + "\n\n" + "\n".join(f"- {md(issue_text(i))}" for i in exc.issues))
    except PermissionDenied as exc:
        st.error(f"{T('error.denied')}{T('punct.colon')}{md(issue_text(exc))}")
    except RestorationError as exc:
        st.error(f"{T('error.generic')}{T('punct.colon')}{md(issue_text(exc))}")


def empty_state(what: str, how: str, **fmt) -> None:
    """Say what is missing and which command or form fills it."""
    st.info(f"{T(what, **fmt)}\n\n{T(how, **fmt)}", icon=":material/info:")


# -- confirmations and submissions ------------------------------------------------------------
def flash(message: str) -> None:
    """A confirmation shown on the next run (a write is followed by ``st.rerun()``)."""
    st.session_state[state.FLASH] = message


def show_flash() -> None:
    message = st.session_state.pop(state.FLASH, None)
    if message:
        st.success(message, icon=":material/check_circle:")


def form_key(form: str) -> str:
    """The key of a form for this submission: it changes after every write, so a second
    submit event of a form already written (Enter then click, a double click) refers to a
    form that no longer exists and writes nothing."""
    key = state.form_token(form)
    if key not in st.session_state:
        st.session_state[key] = uuid.uuid4().hex[:12]
    return f"{form}_{st.session_state[key]}"


def submitted_once(form: str) -> str | None:
    """The request id of this submission the first time this form's current token is used (and
    marks it used), else None. Pass it to the write function (``request_id=``): the store records
    it with the write in one transaction, so even a submit this session cannot see (a retried
    request, a second tab) writes once."""
    token = st.session_state.get(state.form_token(form))
    done = st.session_state.setdefault(state.DONE_TOKENS, set())
    if token in done:
        return None
    done.add(token)
    st.session_state[state.form_token(form)] = uuid.uuid4().hex[:12]
    return f"{form}:{token}"


def submission_refused(form: str, request_id: str) -> None:
    """The write of ``request_id`` was refused (nothing was stored under it): the form keeps its
    current key, so the corrected values the user submits next from the page on screen are read
    (with a new key they would belong to a form that no longer exists, and the click be lost)."""
    token = request_id.rpartition(":")[2]
    st.session_state[state.form_token(form)] = token
    st.session_state.setdefault(state.DONE_TOKENS, set()).discard(token)


def rows_height(n: int, most: int = 25):
    """A table's height: every row of a short table (no scroll bar inside a page for a dozen rows),
    ``most`` rows and a scroll bar for a long one (Streamlit rows are 35 px, plus the header)."""
    return "content" if n <= most else 35 * (most + 1) + 3


# -- status without emoji ---------------------------------------------------------------------
SEVERITY_COLOURS = {"high": "red", "medium": "orange", "low": "blue"}
STATUS_COLOURS = {"achieved": "green", "on_track": "green", "lagging": "orange", "at_risk": "red",
                  "no_data": "gray", "not_started": "gray"}


def uploader_text(lang_code: str) -> None:
    """Streamlit's file uploader has fixed English text ("Upload", "200MB per file • JPG"): paint
    the interface language's words over it, with the store's real limits (Streamlit 1.67: the
    dropzone holds the button and one instructions ``span``; the hidden span keeps Streamlit's own
    line, which a browser test compares with the painted one)."""
    from restoration.cases.attachments import MAX_ATTACHMENT_MB, MAX_FILES
    drop, browse = i18n.t("upload.drop", lang_code), i18n.t("upload.browse", lang_code)
    limit = i18n.t("upload.limit", lang_code, mb=MAX_ATTACHMENT_MB, n=MAX_FILES)  # the store's real limits
    st.html(f"""<style>
[data-testid="stFileUploaderDropzoneInstructions"] span {{font-size:0;visibility:hidden}}
[data-testid="stFileUploaderDropzoneInstructions"] span::before
  {{content:"{drop}";display:block;font-size:14px;visibility:visible}}
[data-testid="stFileUploaderDropzoneInstructions"] span::after
  {{content:"{limit}";display:block;font-size:12px;opacity:0.7;visibility:visible}}
[data-testid="stFileUploaderDropzone"] button > * {{display:none}}
[data-testid="stFileUploaderDropzone"] button::after {{content:"{browse}";font-size:14px}}
</style>""")


#: metric values fit their card: a size that follows the window, and long values wrap at a space
#: (never overlapping the next card, never cut off with "…"; CJK words are kept whole)
_PAGE_CSS = """<style>
div[data-testid="stMetricValue"] {font-size:clamp(1.35rem, 2.1vw, 1.9rem);line-height:1.25}
div[data-testid="stMetricValue"] > div, div[data-testid="stMetricValue"] p
  {white-space:normal;overflow:visible;text-overflow:clip;word-break:keep-all;overflow-wrap:anywhere}
[data-testid="stMetricLabel"] [data-testid="stMarkdownContainer"], [data-testid="stMetricLabel"] p
  {white-space:normal;overflow:visible;text-overflow:clip}
</style>"""


def page_css() -> None:
    """Styles every page shares (metric cards that fit)."""
    st.html(_PAGE_CSS)
