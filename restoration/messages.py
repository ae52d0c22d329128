"""Messages for people, as a code and parameters rather than finished sentences.

The packages (``restoration``, ``equivalence``) describe what they found — an alert, a refused
event, the source of a deadline, a scenario problem — as a :class:`Message`: a code and its
parameters. ``str(message)`` is the English sentence (logs, the command line, JSON);
:func:`word` words the same message for people in their language — the dashboards and the
command line's Chinese lines — so a Chinese page never shows an English sentence from deep inside
the platform. This module is the one source of that wording: :data:`TEMPLATES` (English) and
:data:`ZH` (Chinese, ``messages_zh.json`` beside this file) word every code.

Parameters are plain values (numbers, dates, identifiers, user data) or :class:`Term` — a
vocabulary value (an event type, an indicator, a progress status) that is shown as its label in
the language of the message — or another :class:`Message`.
"""
from __future__ import annotations

import json
import string
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping

from equivalence.errors import TEMPLATES as _SCENARIO_TEMPLATES

from .vocab import TERM_WORDS, label as vocab_label

__all__ = ["Message", "Term", "Label", "TEMPLATES", "ZH", "WORDING", "render", "word", "term_label", "placeholders",
           "scenario_problem"]

# English wording of every code (the Chinese: ZH, below)
TEMPLATES: dict[str, str] = {
    # monitoring alerts
    "alert.progress": "{site} {indicator}: progress {progress:.0%} vs planned {planned:.0%} ({status})",
    "alert.no_data": "{site} {indicator}: no data",
    "alert.stale": "{site} {indicator}: last observation {days} days ago",
    "alert.exceedance": "{site} {indicator}: sample of {date} {value:g} {unit} above twice the target {target:g}",
    # appraisal notes
    "appraisal.no_discharge_source": "the discharge amount has no source: state how it was determined",
    "appraisal.unit_cost_chosen": "unit cost: {n} candidates; used the {basis} value (order {order})",
    "appraisal.unit_cost_not_survey": "unit cost from a {basis}, not a survey",
    "appraisal.no_multiplier_range": "no multiplier range is set for {range} ({source}); k is the appraiser's value, unchecked",
    "appraisal.no_exceedance": ("the measured concentration does not exceed the limit (κ = 0); the tier table has no "
                                "tier for that — state τ with its source"),
    "appraisal.k_outside": "k = {k:g} is outside the range {low:g}–{high:g} of {range}",
    "appraisal.amount_range": "the amount {amount:g} yuan is out of range; check the discharge, unit and unit cost",
    "appraisal.no_amount": "this result has no damage amount in yuan (equivalence: use a value method)",
    "appraisal.appraiser_required": "who appraised it is required",
    # optimistic locking
    "store.changed_by": ("{layer} '{record}' was changed by {actor} at {at} UTC (now version {now}, you edited "
                         "version {expected}); reload it and apply your change again — nothing was saved"),
    "store.changed": ("{layer} '{record}' was changed (now version {now}, you edited version {expected}); reload it "
                      "and apply your change again — nothing was saved"),
    # permissions: who was refused and why (nothing was written)
    "denied.by": "{actor} ({role}, region '{region}'): {reason}",
    "denied.role": "the role may not {action}",
    "denied.unknown_region": "the user's region is not in the jurisdiction tree (counties layer)",
    "denied.case_outside": "case {case} is handled outside the user's region",
    "denied.not_assigned": "case {case} is not assigned to this user",
    "denied.assigned_only": "the role may {action} only on cases assigned to it",
    "denied.project_outside": "bank project {project} lies outside the user's region",
    "denied.site_outside": "site {site} lies outside the user's region",
    "denied.region_outside": "region '{region}' is outside the user's region",
    "denied.record_outside": "{layer} '{record}' lies outside the user's region",
    "denied.raw_sql": "raw SQL reads are not available on a user's view of the store",
    "denied.records_outside": "{what} in region(s) {regions} outside the user's region; nothing was written",
    "denied.sites_outside": "site(s) {sites} lie outside the user's region; nothing was written",
    "denied.reference_layers": ("the reference layers (counties, watersheds) are the province's; a regional user "
                                "may not import them"),
    "denied.not_signed_in": "'{actor}' is not a signed-in user; the server acts only for signed-in users",
    "denied.sign_in": "sign in to read staff data",
    "store.not_found": "{layer}: no record with {key} '{record}'",
    # where a problem is (the location before an input problem)
    "where.case": "case {case}",
    "where.row": "row {n}",
    "where.line": "line {n}",
    "where.feature": "feature {n}",
    "where.field": "field '{field}'",
    # case records: refused edits
    "case.not_editable": ("field(s) {fields} cannot be edited here (stage follows the events, case_class the "
                          "classification); editable: {editable}"),
    "case.unknown_regions": ("unknown region(s) {regions}; use a county id, a city or '{province}' from the counties "
                             "layer"),
    "case.breaks_history": "{what} would make the recorded history invalid: {problem}",
    "case.what_incident_date": "the incident date {date}",
    "case.what_class": "class '{case_class}'",
    "case.invalid_scenario": "invalid scenario: {problem}",
    # one value of a form or a file
    "input.control_char": ("contains a control character ({char}) at position {position}; remove it (ids and names "
                           "may not hold control characters such as NUL)"),
    "input.too_long": "is {n:,} characters long; at most {max:,} are accepted",
    "input.item": "an item {problem}",
    # monitoring plans: indicator targets refused on import or from a form
    "target.unknown_indicator": "unknown indicator '{value}'; known: {known}",
    "target.unit": "unit '{unit}' is not a unit of {indicator} (use {units})",
    "target.range": "{value:g}{unit} is outside the plausible range of {indicator} ({low:g}..{high:g}{std_unit})",
    "target.equal": ("the target equals the baseline ({value:g}): progress cannot be measured; give the level the "
                     "restoration must reach"),
    "target.direction_up": "the direction is '{direction}' but the target {target:g} is below the baseline {baseline:g}",
    "target.direction_down": ("the direction is '{direction}' but the target {target:g} is above the baseline "
                              "{baseline:g}"),
    "target.direction_indicator": "the direction '{direction}' contradicts {indicator}, which is '{expected}'",
    "target.baseline_future": "the baseline date {date} is in the future (today is {today}): a baseline is measured",
    "target.date_order": "the target date {target} is not after the baseline date {baseline}",
    "target.trajectory": "planned trajectory: {problem}",
    "target.traj_form": ("expected [[year or date, level], ...], year:level pairs such as 2024:0.30; 2026:0.50, or a "
                         "shape mapping"),
    "target.traj_too_many": "{n} points; at most {max}",
    "target.traj_point": "point {n}: expected [year or date, level], got {value}",
    "target.traj_time": "point {n}: '{value}' is not a year or a date",
    "target.traj_year": ("point {n}: {year} is not a calendar year ({low}–{high}); give years such as 2026 or dates, "
                         "not years since the start"),
    "target.traj_order": "point {n}: times must increase ({time} after {previous})",
    "target.traj_level": "point {n}: level '{value}' is not a number",
    "target.traj_range": ("point {n}: level {value:g} is outside the plausible range of {indicator} ({low:g}..{high:g}"
                          "{unit})"),
    "target.self_reference": "site {site} cannot be its own reference site",
    "target.duplicate": "site {site} and {indicator} again (first at {first})",
    "target.exists": ("site {site} already has a target for {indicator}; import with --replace to replace it, or "
                      "leave the row out"),
    "target.set_by": ("the {indicator} target of site {site} was set by {actor} at {at} UTC since you opened the "
                      "form; reload it — nothing was saved"),
    "target.changed_by": ("the {indicator} target of site {site} was changed by {actor} at {at} UTC since you opened "
                          "the form; reload it and apply your change again — nothing was saved"),
    "target.removed_by": ("the {indicator} target of site {site} was removed by {actor} at {at} UTC since you opened "
                          "the form; reload it — nothing was saved"),
    "target.set_meanwhile": ("the {indicator} target of site {site} was set since you opened the form; reload it — "
                             "nothing was saved"),
    "target.changed": ("the {indicator} target of site {site} was changed since you opened the form; reload it and "
                       "apply your change again — nothing was saved"),
    "target.removed": ("the {indicator} target of site {site} was removed since you opened the form; reload it — "
                       "nothing was saved"),
    # attachments
    "attachment.too_many": "{n} files; at most {max} per event",
    "attachment.too_large": "{file}: {mb:.1f} MB is larger than the {limit:.0f} MB limit for one attachment",
    "attachment.not_allowed": ("{file}: the content is not a JPEG, PNG or WebP image or a PDF document (whatever "
                               "its name says)"),
    "attachment.event_too_large": "{mb:.1f} MB of files in one event; at most {limit:.0f} MB",
    "attachment.corrupt": "{file}: not a complete {kind} ({detail}); save or scan it again and upload the new file",
    "attachment.trailing": ("{file}: {n:,} bytes follow the end of the {kind} image (a motion photo's video, or "
                            "something hidden); save it again as a plain picture"),
    "attachment.markup": "{file}: holds HTML or script ({marker}); an image or PDF with markup is not accepted",
    "attachment.too_many_pixels": ("{file}: the image has {mp:.0f} megapixels or more; at most {limit:.0f} are "
                                   "accepted — reduce its size"),
    "attachment.pdf_active": ("{file}: the PDF holds active content ({what}: JavaScript, launch or form actions, "
                              "embedded files); print it to a new PDF without it"),
    "attachment.pdf_encrypted": ("{file}: the PDF is encrypted, so what it holds cannot be checked; remove the "
                                 "protection (print it to a new PDF) and upload that"),
    "content.truncated": "the file is cut short",
    "content.bad_structure": "its structure is not that of the format",
    "content.no_end": "it has no end of file (startxref, %%EOF)",
    "content.undecodable": "it cannot be decoded",
    "content.too_much_inflated": "its compressed parts inflate beyond the limit",
    # rule profiles
    "profile.unknown": ("case {case} names the unknown rule profile '{profile}', so its deadlines and workflow cannot "
                        "be computed; known profiles: {known}. Install {profile}.toml in a folder of ${env}, or set "
                        "the case's profile to a known one"),
    "profile.unreadable": "case {case}: rule profile '{profile}' cannot be loaded ({detail}); fix the profile file",
    # public texts set by staff
    "public.refused": ("a public text may not be published: {problems} — write it as in a public notice (e.g. "
                       "青岚县某企业倾倒废渣污染农田案)"),
    "public.too_long": "longer than {n} characters",
    "public.personal_data": "it contains personal data: {kinds}",
    "personal.email": "an e-mail address",
    "personal.id_card": "an ID-card number",
    "personal.mobile": "a mobile phone number",
    "personal.landline": "a landline number",
    "personal.bank_card": "a bank-card number",
    "personal.number": "a long number (phone, ID or account)",
    "personal.plus86": "a +86 phone prefix",
    "personal.licence_plate": "a licence plate",
    "personal.form_of_address": "a person named with a form of address (张先生)",
    "personal.contact": "contact details (联系人, 电话, 微信 …)",
    "personal.role_holder": "a named person in a role (负责人张某)",
    "public.names_person": "it names a natural person who is a liable party",
    # passwords
    "auth.password_rules": "password must {rules}",
    "auth.rule_length": "have at least {n} characters",
    "auth.rule_common": "not be a common or repetitive password",
    "auth.rule_name": "not contain the user name",
    "auth.password_wrong": "the current password is wrong",
    "auth.password_same": "the new password must differ from the current one",
    # screening reports
    "screening.period_order": "the period ends before it starts",
    "screening.duplicate": "a report for {region} from {start} is already recorded",
    # project bank
    "bank.insufficient": ("insufficient capacity: project {project} has {remaining:g} {unit} remaining (capacity "
                          "{capacity:g}, allocated {allocated:g}); {asked:g} {unit} was asked — nothing was reserved"),
    "bank.insufficient_released": "not yet released: project {project} has released {released:g} of its {capacity:g} {unit} ({allocated:g} allocated, {remaining:g} {unit} can be reserved); {asked:g} {unit} was asked — nothing was reserved. Next release: {next} ({share:.0%} of capacity)",
    "bank.tranche_syntax": "'{text}': expected SHARE:MILESTONE, e.g. 0.25:secured — nothing was written",
    "bank.tranche_share": "'{text}': the share must be a number above 0 and at most 1 — nothing was written",
    "bank.milestone_unknown": "unknown milestone '{milestone}'; use secured, construction_accepted, target_met@YEAR or named:NAME — nothing was written",
    "bank.schedule_sum": "the tranche shares add up to {total:g}, not 1 — nothing was written",
    "bank.tranche_duplicate": "milestone {milestone} appears twice in the schedule — nothing was written",
    "bank.schedule_below_allocated": "project {project} has {allocated:g} {unit} allocated; the new schedule would release only {released:g} {unit} now — refused, nothing was written",
    "bank.target_by_hand": "a monitoring-target milestone is released by the platform's own evaluation (restoration bank evaluate {project}), never typed — nothing was written",
    "bank.milestone_not_scheduled": "project {project} has no tranche released by {milestone} (its schedule: {schedule}) — nothing was written",
    "bank.milestone_before_project": "{date} is before project {project} was registered ({start}) — nothing was written",
    "bank.milestone_future": "{date} is in the future — nothing was written",
    "bank.milestone_reached": "{milestone} of project {project} was already recorded on {date} — nothing was written",
    "bank.evidence_required": "say what shows the milestone was reached (--evidence) — nothing was written",
    "bank.text_too_long": "{field} is longer than {max} characters — nothing was written",
    "bank.review_status": "unknown review decision '{status}'; use approved or needs_changes — nothing was written",
    "bank.review_note_required": ("marking project {project}'s polygon {status} needs --note saying why ({n} finding(s) "
                                  "of the checks) — nothing was written"),
    "bank.unit_mismatch": "project '{project}' counts capacity in {unit}; cannot reserve in {asked_unit}",
    "bank.below_precision": ("{amount} {asked_unit} is below the ledger's precision of {precision:g} {unit}: it would "
                             "be stored as 0; reserve at least {precision:g} {unit}"),
    "bank.not_reservable": "project '{project}' is {status}; capacity can be reserved only when it is {allowed}",
    "bank.allocation_state": "allocation {allocation} is {state}; this needs it {needed}",
    "bank.release_too_much": "cannot release {amount:g}: only {total:g} {unit} is {states}",
    "bank.no_capacity_left": "insufficient capacity: project {project} has no capacity remaining; escrow stays awaiting a match",
    "bank.no_damaged_site": ("case '{case}' has no damaged site; siting measures distance and watershed from it — "
                             "import the damaged site first"),
    "bank.no_debit": ("case '{case}' has no damaged site, so no debit can be derived; import its damaged site or "
                      "store a scenario"),
    "bank.resource_not_sited": ("equal-resource case scenarios cannot be sited against bank projects yet; store an "
                                "equal-service or equal-value scenario"),
    "bank.value_needed": ("project '{project}' is counted in {unit}: measuring it needs the case scenario's "
                          "injury.unit_value (equal-value)"),
    "bank.amount_range": "amount must be a positive number up to {max:g}, got {value}",
    "bank.amount_range_unit": "amount must be a positive number of {unit} up to {max:g}, got {value}",
    "bank.who": ("say who the capacity is for: a case of this store, or an external reference for a case "
                 "outside this store"),
    "bank.case_or_external": ("capacity is held for one case: case {case} of this store or the external case "
                              "'{external}', not both — give one of them"),
    "bank.case_ended": ("case {case} has ended ({stage}): no capacity can be reserved or committed for it — "
                        "nothing was written"),
    "bank.eligibility_unknown": ("case {case} has no damaged site, so whether a project may restore its damage "
                                 "cannot be checked — import the damaged site first; nothing was written"),
    "bank.ineligible": ("project {project} is not eligible for the alternative restoration of case {case}: "
                        "{reasons} — nothing was written"),
    # deadlines
    "deadline.source_case": "set on the event {event} of {date}",
    "deadline.source_ledger": "funds ledger (instalment schedule)",
    "deadline.moved": "the last day {nominal} is a rest day; moved to {due} [{source}]",
    "deadline.instalment_note": "{amount:,.2f} yuan, paid {paid:,.2f}",
    "deadline.supervision_note": "supervising authority: {authority}",
    "deadline.missing_start": "no date of the {events}",
    "deadline.missing_restoration_deadline": "no restoration deadline: record the {events} with the deadline it sets",
    "deadline.missing_instalments": "no instalment schedule in the funds ledger",
    # workflow: why an event may not be recorded
    "event.before_incident": "{event} ({date}): dated before the incident ({incident})",
    "event.in_future": "{event} ({date}): dated in the future (today is {today})",
    "event.case_ended": "{event} ({date}): the case ended with {ended} on {ended_date}",
    "event.first_is_clue": "{event} ({date}): the first event must be a clue registration",
    "event.requires": "{event} ({date}): requires {needed}",
    "event.requires_because": "{event} ({date}): requires {needed} — {why}",
    "event.already_recorded": "{event} ({date}): already recorded on {on}",
    "event.no_choice_list": "{event} ({date}): the profile '{profile}' has no list '{list}' to choose from ({source})",
    "event.choose_reason": "{event} ({date}): choose the {field}: {choices} [{source}]",
    "event.unknown_reason": "{event} ({date}): '{value}' is not a {field} of the profile's list; choose one of: {choices} [{source}]",
    "event.re_consultations_used": ("{event} ({date}): judicial confirmation was refused {refusals} times; the "
                                    "{allowed} re-consultation(s) allowed are used up — file litigation [{source}]"),
    "event.simple_cases_only": "{event} ({date}): the simplified expert appraisal is for simple cases; this case is {case_class} [{source}]",
    "event.meeting_limit": "{event} ({date}): meeting {n} exceeds the limit of {limit} [{source}]",
    "event.meeting_limit_extendable": ("{event} ({date}): meeting {n} exceeds the limit of {limit} [{source}] — record "
                                       "the approval of an extension on the meeting [{extension_source}]"),
    "event.missing_details": "{event} ({date}): missing {fields}",
    "event.choose_one": "{event} ({date}): {field} = {value} — choose one of: {choices}",
    "event.county_designation": ("{event} ({date}): a county department acts by the city's designation: give who "
                                 "designated it and the department designated [{source}]"),
    "event.stage_mismatch": "the case's stage is {stored} but its events lead to {replayed}",
    "event.why_appraise_first": "the damage must be appraised first",
    "event.why_notice_first": "no meeting before the notice is served (or the liable party's request)",
    "event.no_closing_without_evaluation": "no closing without an effect evaluation or a recorded exemption",
    "event.litigation_after_failure": ("{event} ({date}): litigation follows a failed consultation (record the "
                                       "failed consultation with its circumstance first)"),
    "event.enforcement_basis": ("{event} ({date}): compulsory enforcement needs a judicially confirmed "
                                "agreement or an effective judgment"),
    "event.restoration_basis": "{event} ({date}): restoration starts under a signed agreement or an effective judgment",
    "event.consultation_begun": "{event} ({date}): consultation has begun; record a termination instead",
    "event.agreement_signed": "{event} ({date}): an agreement was already signed",
    "event.no_open_consultation": "{event} ({date}): no consultation is open",
    "event.meeting_first": "{event} ({date}): requires a consultation meeting first",
    "event.confirmation_requested": "{event} ({date}): judicial confirmation already requested for this agreement",
    "event.confirmation_first": "{event} ({date}): requires a pending request for judicial confirmation",
    "event.litigation_filed": "{event} ({date}): litigation already filed",
    "event.agent_not_authorised": ("{event} ({date}): the agent '{agent}' attends only after the authorisation is "
                                   "verified — record {authorise} first [{source}]"),
    "event.agent_expired": "{event} ({date}): the authorisation of the agent '{agent}' expired on {until} [{source}]",
    "event.clauses_missing": ("{event} ({date}): the agreement lacks mandatory clause(s) {clauses} [{source}] — add "
                              "them to details.clauses, or record details.clause_override with its reason and "
                              "approved_by"),
    "event.exemption_unverified": ("{event} ({date}): the wording of exemption '{exemption}' is not verified "
                                   "[{source}]: record on the exemption the text relied on (details.basis) and who "
                                   "approved it (details.approved_by), or commission an effect evaluation"),
    # procedure events
    "event.excluded_after_filing": "{event} ({date}): the case is filed; record {terminated} instead",
    "event.no_scope_exclusions": "{event} ({date}): the profile '{profile}' lists no scope exclusions ({source})",
    "event.county_designation_not_allowed": "{event} ({date}): the rules do not allow county designation [{source}]",
    "event.lists_expected": "{event} ({date}): {fields} must be lists",
    "event.joint_needs_two": ("{event} ({date}): joint handling needs two or more departments (details.departments) "
                              "or other regions (details.joint_regions)"),
    "event.lead_not_participant": "{event} ({date}): the lead department '{lead}' is not among details.departments",
    "event.group_needs_two": "{event} ({date}): a joint investigation group needs two or more member departments",
    "event.no_open_objection": "{event} ({date}): no objection awaits an answer",
    "event.request_not_allowed": ("{event} ({date}): the profile '{profile}' does not let the liable party start "
                                  "consultation [{source}]"),
    "event.consultation_started": "{event} ({date}): consultation has already begun",
    "event.supervision_major_only": "{event} ({date}): supervision is for major cases; this case is {case_class} [{source}]",
    "event.already_supervised": "{event} ({date}): already under supervision since {since}",
    "event.report_schedule_needed": ("{event} ({date}): state the reporting schedule (details.report_every_days); "
                                     "the profile does not set one [{source}]"),
    "event.report_every_days_range": ("{event} ({date}): details.report_every_days must be a whole number of days "
                                      "from 1 to 366, got {value}"),
    "event.not_supervised": "{event} ({date}): the case is not under supervision",
    "event.comment_period_order": "{event} ({date}): the comment period must end after it opens",
    "event.comment_period_short": "{event} ({date}): the comment period is at least {days} days [{source}]",
    "event.meeting_extension_complex": ("{event} ({date}): meeting {n} exceeds the limit of {limit}; an extension "
                                        "needs a complex case as well as approval — record 'complex case' with the "
                                        "approval [{extension_source}]"),
    "event.incentive_not_earned": ("{event} ({date}): a credit incentive is for a party that consulted actively and "
                                   "performed in time; this case {reason} [{source}]"),
    "event.incentive_litigated": "went to litigation after the consultation failed",
    "event.incentive_dishonest": "put the party on the dishonest-debtor list",
    "event.fund_use_nothing_disbursed": ("{event} ({date}): the case's funds ledger has no disbursement yet — "
                                         "record the use of funds (disbursed) before disclosing it"),
    "event.no_comment_period": "{event} ({date}): no comment period is open for {document}; record {opened} first",
    "event.comment_period_closed": "{event} ({date}): the comment period closed on {until}",
    "event.comment_id_taken": "{event} ({date}): comment id '{comment}' is already recorded",
    "event.no_such_comment": "{event} ({date}): no comment with the id '{comment}' was received",
    "event.comment_answered": "{event} ({date}): comment '{comment}' is already answered",
    "event.why_enforcement_first": "listing follows an application for compulsory enforcement",
    "event.conditions_format": "{event} ({date}): details.conditions = {{id: true | false | null}} (null = not yet confirmed)",
    "event.unknown_conditions": "{event} ({date}): unknown condition(s) {unknown}; the profile lists {listed}",
    "event.condition_not_met": "{event} ({date}): a condition is not met: the review cannot approve",
    "event.offset_review_first": "{event} ({date}): requires an approved {reviewed}",
    "event.offset_acceptance_first": "{event} ({date}): requires {accepted}",
    "event.conditions_open": ("{event} ({date}): condition(s) not confirmed: {conditions} — confirm them in a new "
                              "{reviewed} before the offset is granted"),
    "event.shared_items": "{event} ({date}): details.items = {value} — a non-empty list of: {choices}",
    "event.known_types": "the known event types (code, 中文, English): {choices}",
    "event.unknown_type": "unknown event type '{value}'; known: {choices}",
    "event.takeover_stage": "{event} ({date}): '{value}' is not a stage; use one of: {choices}",
    "event.taken_over_twice": "{event} ({date}): the case was already taken over on {on}; to change its stage record a {correct}",
    "event.takeover_behind": "{event} ({date}): the register puts the case at {stage} when it was taken over, but its earlier events already lead to {replayed}; correct the register's stage or the events",
    "event.correction_same": "{event} ({date}): the case is already at {stage}",
    "event.backwards": "{event} ({date}): would move the case back from {stage} to {to}; if its stage is wrong, record a {correct} (with a reason and a document)",
    "event.presumed_before_takeover": "{event} ({date}): the case was taken over at {stage} on {on}, so this step happened before that; date it before the takeover",
    "event.override_format": "{event} ({date}): an override is details.evaluation_override = {{\"reason\": ..., \"document\": ...}}",
    "event.evaluation_not_passed": "{event} ({date}): the latest effect evaluation ({evaluation}, as of {as_of}) is {verdict}: record a {supplementary} and evaluate again, or an override with its reason and document by an authorised role [{source}]",
    "event.supplementary_stage": "{event} ({date}): supplementary restoration follows an effect evaluation (the case must be at {stage})",
    "event.supplementary_open": "{event} ({date}): the supplementary restoration is under way: record {completed} and evaluate again first",
    "event.case_refused": "case {case}: {problem}",
    "event.stored_refused": "case {case}: with the file's events, an event it already has would be refused: {problem}",
    "event.supplementary_needs_failure": "{event} ({date}): supplementary restoration follows a failed effect evaluation; the latest one did not fail",
    "event.advisory_refusal": "{problem} — this refusal rests on a value marked {kind} (advisory, docs/cases.md): a role allowed to correct may proceed with details.advisory_override = {{\"reason\": ..., \"document\": ...}}",
    "event.plan_invalid": "{event} ({date}): the evaluation plan is not valid: {problems}",
    "event.satisfaction_counts": "{event} ({date}): a survey states respondents (a whole number > 0) and satisfied (0 to respondents); given {respondents} and {satisfied}",
}

# a problem the equivalence engine found in a scenario: its codes (``scenario.<code>``, English in
# ``equivalence.errors.TEMPLATES``), and where it is (the key path, worded by the dashboards)
TEMPLATES["scenario.at"] = "{path}: {problem}"
TEMPLATES.update({f"scenario.{code}": text for code, text in _SCENARIO_TEMPLATES.items()})


#: Chinese wording of every code (the same parameters as the English)
ZH: dict[str, str] = json.loads(Path(__file__).with_name("messages_zh.json").read_text(encoding="utf-8"))
#: language -> code -> wording
WORDING: dict[str, Mapping[str, str]] = {"en": TEMPLATES, "zh": ZH}


@dataclass(frozen=True)
class Term:
    """A vocabulary value inside a message, shown as its label (``kind``: a kind of the
    vocabulary registry — event, indicator, progress_status, stage …)."""

    kind: str
    code: str

    def __str__(self) -> str:
        return term_label(self, "en")


@dataclass(frozen=True)
class Label:
    """A name the platform's configuration gives in both languages (a profile's list item)."""

    zh: str
    en: str

    def __str__(self) -> str:
        return self.en


@dataclass(frozen=True)
class Message:
    """A message for people: ``code`` names its wording, ``params`` fill it in."""

    code: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return render(self, "en")

    def __hash__(self) -> int:
        return hash((self.code, tuple(sorted((k, str(v)) for k, v in self.params.items()))))


def term_label(term: Term, lang: str = "zh") -> str:
    """A vocabulary value's label in ``lang``, from the vocabulary of its kind
    (``restoration.vocab``); the code itself if the vocabulary lacks it, or for a kind without
    one (``unit``: the code is the English — ha, mu, tCO2e)."""
    return vocab_label(term.kind, term.code, lang)


def scenario_problem(exc) -> "Message | str":
    """An ``equivalence.ScenarioError`` (or a nested ``equivalence.errors.Problem``) as a message:
    ``scenario.at`` (the key path as a ``Term("scenario.path", ...)``, which the dashboards word
    as the editor's field names) around ``scenario.<code>``; quantities (``what``) are
    ``Term("scenario.what", ...)``. An error without a code stays its English text."""
    code = getattr(exc, "code", None)
    if code is None or code not in _SCENARIO_TEMPLATES:
        return str(exc)
    params = {}
    for k, v in dict(exc.params).items():
        if k == "what":
            v = Term("scenario.what", str(v))
        elif hasattr(v, "code") and hasattr(v, "params"):
            v = scenario_problem(v)
        params[k] = v
    problem = Message(f"scenario.{code}", params)
    path = getattr(exc, "path", None)
    return Message("scenario.at", {"path": Term("scenario.path", path), "problem": problem}) if path else problem


def placeholders(template: str) -> set[str]:
    """The parameter names a template uses."""
    return {f for _, f, _, _ in string.Formatter().parse(template) if f}


def render(message: Message | str, lang: str = "en",
           templates: Mapping[str, str] | Callable[[str], str | None] | None = None,
           terms: Callable[[Term, str], str | None] | None = None) -> str:
    """``message`` in ``lang`` using ``templates`` (code → wording; default: the English
    :data:`TEMPLATES`). Terms (``terms`` may word some of them first), labels and nested
    messages are rendered in the same language; a plain string is returned as it is."""
    if not isinstance(message, Message):
        return str(message)
    look = templates if callable(templates) else (templates or TEMPLATES).get
    template = look(message.code) or TEMPLATES.get(message.code)
    def one(v):
        if isinstance(v, Term):
            return (terms(v, lang) if terms else None) or term_label(v, lang)
        if isinstance(v, Label):
            return v.zh if lang == "zh" else v.en
        if isinstance(v, Message):
            return render(v, lang, templates, terms)
        return v

    params = {}
    for k, v in message.params.items():
        if isinstance(v, (list, tuple)):
            v = (" / " if lang == "en" else "、").join(str(one(x)) for x in v)
        else:
            v = one(v)
        params[k] = v
    if template is None:
        return f"{message.code}: {params}"  # pragma: no cover - every code has a template (tested)
    try:
        return template.format(**params)
    except (KeyError, ValueError, TypeError):  # a parameter of an unexpected type: still readable
        return template.format_map({k: str(v) for k, v in params.items()}) if \
            all(":" not in f for f in placeholders(template)) else f"{message.code}: {params}"


def word(message: "Message | str", lang: str = "zh",
         terms: Callable[["Term", str], str | None] | None = None) -> str:
    """``message`` worded for people in ``lang`` (:data:`WORDING`): its terms from ``terms``
    first, then the interface words of event detail fields, layers, units and scenario
    quantities (``restoration.vocab.terms``), then the vocabularies."""
    def term(t: Term, lang_: str) -> str | None:
        worded = terms(t, lang_) if terms else None
        if worded:
            return worded
        words = TERM_WORDS.get(t.kind)
        return words.label(t.code, lang_) if words is not None and t.code in words else None
    return render(message, lang, WORDING.get(lang, TEMPLATES), term)
