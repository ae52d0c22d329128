"""The typed case events (案件事件) and the stage each one moves a case to.

One vocabulary for the workflow validator, the deadline rules (profiles name events by these
codes) and the interface labels (the words are ``restoration.vocab.events``'; the stage map is here). The order follows DESIGN.md's stages.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..model import Stage
from ..vocab import EVENT_LABELS


@dataclass(frozen=True)
class EventType:
    code: str
    zh: str
    en: str
    #: stage after the event; None leaves the stage as it was
    stage: Stage | None

    def label(self, lang: str = "zh") -> str:
        return self.zh if lang == "zh" else self.en


#: event type -> the stage a case is at after it (None: the stage stays), in the procedure's order;
#: the labels are the vocabulary's (``restoration.vocab.events``)
STAGE_AFTER: dict[str, Stage | None] = {
    "clue_registered": Stage.SCREENING,
    "filed": Stage.FILING,
    "not_started": Stage.NOT_STARTED,
    "investigation_started": Stage.INVESTIGATION,
    "investigation_reported": Stage.INVESTIGATION,
    "appraisal_commissioned": Stage.APPRAISAL,
    "appraisal_reported": Stage.APPRAISAL,
    "expert_opinion": Stage.APPRAISAL,
    "consultation_notice_served": Stage.CONSULTATION,
    "meeting_held": Stage.CONSULTATION,
    "consultation_failed": Stage.CONSULTATION,
    "agreement_signed": Stage.CONSULTATION,
    "judicial_confirmation_requested": Stage.JUDICIAL_CONFIRMATION,
    "judicial_confirmation_confirmed": Stage.JUDICIAL_CONFIRMATION,
    "judicial_confirmation_refused": Stage.CONSULTATION,
    "litigation_filed": Stage.LITIGATION,
    "judgment_effective": Stage.LITIGATION,
    "payment_order_applied": None,
    "enforcement_applied": None,
    "restoration_started": Stage.RESTORATION,
    "inspection": None,
    "restoration_completed": Stage.RESTORATION,
    "effect_evaluation_commissioned": Stage.EFFECT_EVALUATION,
    "effect_evaluation": Stage.EFFECT_EVALUATION,
    "effect_evaluation_exempted": Stage.EFFECT_EVALUATION,
    "accepted": Stage.EFFECT_EVALUATION,
    "closed": Stage.CLOSED,
    "terminated": Stage.TERMINATED,
    # the procedure around the case: none of these moves the stage, except the scope exclusion (a
    # side exit at screening) and the liable party's request (opens consultation)
    "screening_excluded": Stage.NOT_STARTED,
    "clue_referred": None,
    "jurisdiction_assigned": None,
    "joint_handling_agreed": None,
    "joint_investigation_group": None,
    "appraisal_institution_selected": None,
    "appraisal_objection": None,
    "appraisal_objection_answered": None,
    "third_party_review": None,
    "compensation_opinion_drafted": None,
    "consultation_requested": Stage.CONSULTATION,
    "agent_authorised": None,
    "enforcement_referral": None,
    "compensation_duty_notified": None,
    "police_link": None,
    "supervision_started": None,
    "supervision_report": None,
    "supervision_ended": None,
    "public_comment_opened": None,
    "public_comment_received": None,
    "public_comment_answered": None,
    "credit_incentive": None,
    "dishonesty_listed": None,
    "offset_applied": None,
    "offset_reviewed": None,
    "offset_accepted": None,
    "offset_granted": None,
    "disclosed": None,
    # information sharing, responsibility and commendation (may follow the case's end)
    "information_shared": None,
    "accountability_recorded": None,
    "commendation_recorded": None,
    # a register taken over mid-procedure, corrections, the supplementary restoration and records
    "taken_over": None,
    "stage_corrected": None,
    "supplementary_restoration": Stage.RESTORATION,
    "effect_evaluation_plan": None,
    "public_satisfaction": None,
    "monitoring_note": None,
    "document_filed": None,
}
EVENT_TYPES: dict[str, EventType] = {code: EventType(code, *EVENT_LABELS[code], stage)
                                     for code, stage in STAGE_AFTER.items()}

#: the procedure events (docs/cases.md, "Procedure"), in the order above
_CODES = list(EVENT_TYPES)
PROCEDURE_EVENTS = tuple(_CODES[_CODES.index("screening_excluded"):_CODES.index("commendation_recorded") + 1])

#: events about the handling of a case that may still be recorded after it ended (closed, not
#: started, terminated): a responsibility finding or a commendation often follows the end, and
#: the file can still be shared with another department
AFTER_END_EVENTS = frozenset({"information_shared", "accountability_recorded", "commendation_recorded",
                              "inspection", "monitoring_note", "document_filed"})

#: the everyday records a supervisor saves on a case at any stage (also after it ended: aftercare
#: patrols and the file go on); none of them moves the stage
RECORD_EVENTS = ("inspection", "monitoring_note", "document_filed")

#: events only the platform writes (the takeover of an imported case) or that need their own
#: command and permission (a stage correction): not offered by the event form, refused in a file
SYSTEM_EVENTS = ("taken_over", "stage_corrected")

#: events a case goes through once (a second one is refused; a supplementary restoration lets the
#: restoration be completed again)
ONCE = ("clue_registered", "filed", "investigation_started", "investigation_reported", "appraisal_commissioned",
        "restoration_started", "restoration_completed", "accepted")

#: stages after which nothing more can happen to a case
END_STAGES = (Stage.CLOSED, Stage.NOT_STARTED, Stage.TERMINATED)


def event_label(code: str, lang: str = "zh") -> str:
    e = EVENT_TYPES.get(code)
    return e.label(lang) if e else code


def _bare(label: str) -> str:
    """A label without its parenthesised part (``调查报告（结论）`` -> ``调查报告``)."""
    for open_ in ("（", "("):
        label = label.split(open_, 1)[0]
    return label.strip()


def _names() -> dict[str, str | None]:
    """Every accepted spelling of an event type -> its code (None: a spelling two types share)."""
    names: dict[str, str | None] = {}
    for e in EVENT_TYPES.values():
        for spelling in (e.code, e.zh, e.en.lower(), _bare(e.zh), _bare(e.en).lower()):
            if spelling and names.get(spelling, e.code) != e.code:
                names[spelling] = None  # ambiguous: the code (or the full label) is needed
            elif spelling:
                names[spelling] = e.code
    for e in EVENT_TYPES.values():  # a code or a full label always names its own type
        names[e.code] = names[e.zh] = names[e.en.lower()] = e.code
    return names


_NAMES = _names()


def event_code(text: object) -> str | None:
    """The event type a user's text names: its code (``meeting_held``), its Chinese label
    (``召开磋商会议``, also without the part in brackets: ``调查报告``) or its English label, in any
    case; None when it names none (or two)."""
    if not isinstance(text, str):
        return None
    key = text.strip()
    return _NAMES.get(key) or _NAMES.get(key.lower())


def event_choices() -> list[tuple[str, str, str]]:
    """(code, 中文, English) of every event type, in the vocabulary's order: what an error about an
    unknown type lists."""
    return [(e.code, e.zh, e.en) for e in EVENT_TYPES.values()]
