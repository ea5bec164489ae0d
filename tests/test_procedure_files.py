"""Procedure files: the reference procedure runs from its file; a faulty file is refused with its line, at
start-up and by `procedures check`; `procedures list` and `show` print what is loaded."""
from pathlib import Path

import pytest

from tests.conftest import make_app
from tests.web_helpers import sign_in
from workflow.procedure import PROCEDURES_DIR, ProcedureError, catalogue, parse

REFERENCE_FILE = PROCEDURES_DIR / "reference-v1.yaml"
REFERENCE_TEXT = REFERENCE_FILE.read_text(encoding="utf-8")


def line_of(text: str, fragment: str) -> int:
    """The line (from 1) of the only occurrence of `fragment` in `text`."""
    assert text.count(fragment) == 1, fragment
    return text[:text.index(fragment)].count("\n") + 1


def altered(old: str, new: str) -> str:
    assert REFERENCE_TEXT.count(old) == 1, old
    return REFERENCE_TEXT.replace(old, new)


def faults_of(text: str) -> list[tuple[int, str]]:
    with pytest.raises(ProcedureError) as refused:
        parse(text, "trial.yaml")
    assert all(name == "trial.yaml" for name, _, _ in refused.value.faults)
    return [(line, fault) for _, line, fault in refused.value.faults]


def test_the_reference_procedure_is_the_file():
    reference = catalogue().current("reference")
    assert reference.version == 1
    assert reference.source == str(REFERENCE_FILE)
    assert reference.state_labels["returned"] == {"vi": "Trả lại bổ sung", "en": "Returned for supplement"}
    assert reference.next_state("council_review", "approve") == "approved"
    returning = reference.step_by_event_and_source[("return", "in_appraisal")]
    assert returning.effect("set_due_date") == {"working_days": 7}
    assert reference.step_by_event_and_source[("recommend", "in_appraisal")].effect("reset_vote") == {}


@pytest.mark.parametrize(("old", "new", "marker", "fault"), [
    ("rules: [city_level_type, decision_required]", "rules: [city_level_type, decision_signed]",
     "rules: [city_level_type, decision_signed]", "unknown rule 'decision_signed'"),
    ("    role: chair\n    rules: [conflict_of_interest, vote_quorum",
     "    role: president\n    rules: [conflict_of_interest, vote_quorum", "role: president",
     "unknown role 'president'; known: submitter, office, appraiser, council, chair, admin"),
    ("effects: [reset_vote]", "effects: [open_disclosure_now]", "effects: [open_disclosure_now]",
     "unknown effect 'open_disclosure_now'; known: mark_submitted, set_due_date, record_decision, reset_vote, "
     "open_disclosure, record_date, record_revocation"),
    ("    from: forwarded\n    to: declined", "    from: forwarded\n    to: refused", "to: refused",
     "unknown state 'refused' in 'to'"),
    ("  - {event: withdraw, from: returned, to: withdrawn, role: submitter, scope: own_unit, style: danger, "
     "queue: returned}",
     "  - {event: withdraw, from: submitted, to: withdrawn, role: submitter, scope: own_unit, style: danger, "
     "queue: returned}",
     "from: submitted, to: withdrawn, role: submitter, scope: own_unit, style: danger, queue: returned}",
     "two steps with the event 'withdraw' from 'submitted'"),
    ("    notify: appraisers\n    queue: intake\n", "    notify: appraisers\n    queue: reception\n",
     "queue: reception", "unknown queue 'reception' (declare it under 'queues')"),
    ('  appraisal:                 {vi: "Hồ sơ chờ Ban thẩm định", en: "Dossiers for your department\'s appraisal"}\n',
     '  appraisal:                 {vi: "Hồ sơ chờ Ban thẩm định", en: "Dossiers for your department\'s appraisal"}\n'
     '  archive:                   {vi: "Lưu trữ", en: "Archive"}\n', "  archive:",
     "queue 'archive' is named by no step"),
    ('  appraisal:                 {vi: "Hồ sơ chờ Ban thẩm định", en: "Dossiers for your department\'s appraisal"}',
     '  appraisal:                 {vi: "Hồ sơ chờ Ban thẩm định"}', "  appraisal:",
     "queue 'appraisal' needs a label in 'en'"),
    # What a state is, and how a step shows itself.
    ('  withdrawn:      {vi: "Đã rút", en: "Withdrawn", final: true, dead: true}',
     '  withdrawn:      {vi: "Đã rút", en: "Withdrawn", final: true, dead: yes please}',
     "dead: yes please", "state 'withdrawn': 'dead' must be true or false"),
    ('  conferred:      {vi: "Đã khen thưởng", en: "Conferred", final: true, honoured: true}',
     '  conferred:      {vi: "Đã khen thưởng", en: "Conferred", final: true, honoured: true, famous: true}',
     "famous: true", "state 'conferred': unknown key 'famous'; known: vi, en, final, dead, editable, decided, "
                     "honoured, voting, pending"),
    ('  approved:       {vi: "Đã phê duyệt", en: "Approved", decided: true}',
     '  approved:       {vi: "Đã phê duyệt", en: "Approved", decided: true, honoured: true}',
     "  approved:", "state 'approved': an honoured state is final and not dead"),
    ('  rejected:       {vi: "Không đề nghị", en: "Not recommended", final: true, dead: true}',
     '  rejected:       {vi: "Không đề nghị", en: "Not recommended", final: true, dead: true, decided: true}',
     "  rejected:", "state 'rejected': a decided state cannot be dead"),
    ('  withdrawn:      {vi: "Đã rút", en: "Withdrawn", final: true, dead: true}',
     '  withdrawn:      {vi: "Đã rút", en: "Withdrawn", final: true, dead: true, voting: true}',
     "  withdrawn:", "state 'withdrawn': the council cannot vote in a final state"),
    # An honoured state is left only by a revocation, towards a dead state; a pending state waits for an answer.
    ("    style: danger\n", "    style: danger\n  - {event: forward, from: conferred, to: forwarded, role: office}\n",
     "  conferred:", "state 'conferred' is honoured: a step may leave it only towards a dead state (the award "
                    "revoked), not 'forwarded'"),
    ("    from: conferred\n    to: revoked", "    from: forwarded\n    to: revoked", "  - event: revoke",
     "effect 'record_revocation' revokes an award, but 'forwarded' is not an honoured state"),
    ('  forwarded:      {vi: "Đã trình cấp trên", en: "Forwarded to higher authority", decided: true, pending: true}',
     '  forwarded:      {vi: "Đã trình cấp trên", en: "Forwarded to higher authority", decided: true, pending: true, '
     'editable: true}',
     "  forwarded:", "state 'forwarded': a pending state waits for an answer: it is neither final, honoured, voting "
                     "nor editable"),
    ("    style: danger\n", "    style: danger\n  - {event: revoke, from: declined, to: revoked, role: office}\n",
     "  declined:", "state 'declined' is final but a step leaves it"),
    ("  - {event: withdraw, from: draft, to: withdrawn, role: submitter, scope: own_unit, style: danger}",
     "  - {event: withdraw, from: draft, to: withdrawn, role: submitter, scope: own_unit, style: scary}",
     "style: scary", "unknown style 'scary'; known: primary, danger"),
    ('    label: {vi: "Không phê duyệt", en: "Refuse approval"}', '    label: {vi: "Không phê duyệt"}',
     'label: {vi: "Không phê duyệt"}', "a step's 'label' needs a label in 'en'"),
    # The batches a step is taken in, and what each asks of its step.
    ("    batch: council_session", "    batch: council_meeting", "batch: council_meeting",
     "unknown batch 'council_meeting'; known: unit_packet, packet_acceptance, packet_return, council_session, "
     "disclosure, decision, forwarding, forwarding_refusal"),
    ("    queue: awaiting_higher_authority\n    batch: forwarding_refusal\n",
     "    queue: awaiting_higher_authority\n", "  - {event: forward,",
     "batch 'forwarding' leads where the answer is recorded: a 'decision' step and a 'forwarding_refusal' step must "
     "leave 'forwarded'"),
    ("    inputs: {comment: {type: text, required: true}}\n    notify: submitters\n"
     "    queue: awaiting_higher_authority",
     "    inputs: {comment: {type: text}}\n    notify: submitters\n    queue: awaiting_higher_authority",
     "  - event: decline",
     "batch 'forwarding_refusal' records the answer: the step needs the required input 'comment'"),
    ("    effects: [mark_submitted]\n    notify: office\n    queue: returned\n",
     "    effects: [mark_submitted]\n    notify: office\n    queue: returned\n    batch: packet_return\n",
     "  - event: resubmit", "batch 'packet_return' starts where a 'unit_packet' step leads, not at 'returned'"),
    ("    batch: packet_return", "    batch: packet_acceptance", "  - event: return\n    from: submitted",
     f"batch 'packet_acceptance' already takes the step on line {line_of(REFERENCE_TEXT, '  - event: accept')} "
     "from 'submitted'"),
    ("    batch: council_session", "    batch: disclosure", "  - event: approve",
     "batch 'disclosure' makes dossiers public: the step needs the effect 'open_disclosure'"),
    ("    batch: council_session", "    batch: decision", "  - event: approve",
     "batch 'decision' confers by a recorded decision: the step needs the effect 'record_decision'"),
    ("    scope: own_unit\n    rules: [unit_active, campaign_open, deadline,",
     "    scope: any\n    rules: [unit_active, campaign_open, deadline,", "  - event: submit",
     "batch 'unit_packet' is the unit's step (scope own_unit) from the initial state 'draft'"),
])
def test_a_fault_is_named_with_its_line(old, new, marker, fault):
    text = altered(old, new)
    assert faults_of(text) == [(line_of(text, marker), fault)]


def test_unreachable_and_dead_end_states_are_faults():
    text = altered('  withdrawn:      {vi: "Đã rút", en: "Withdrawn", final: true, dead: true}\n',
                   '  withdrawn:      {vi: "Đã rút", en: "Withdrawn", final: true, dead: true}\n'
                   '  archived:       {vi: "Lưu trữ", en: "Archived", final: true}\n'
                   '  on_hold:        {vi: "Tạm dừng", en: "On hold"}\n')
    faults = faults_of(text)
    assert (line_of(text, "  archived:"), "state 'archived' cannot be reached from 'draft'") in faults
    assert (line_of(text, "  on_hold:"), "state 'on_hold' cannot be reached from 'draft'") in faults
    assert (line_of(text, "  on_hold:"), "state 'on_hold' is not final and has no step out of it") in faults


def test_broken_yaml_is_named_with_its_line():
    text = altered('  approve:   {vi: "Phê duyệt", en: "Approve"}', '  approve:   {vi: "Phê duyệt", en: ["Approve"}')
    ((line, fault),) = faults_of(text)
    assert line == line_of(text, "  approve:") and fault.startswith("not valid YAML")


def test_a_faulty_file_stops_the_app_from_starting(postgres_url, tmp_path):
    procedures = tmp_path / "procedures"
    procedures.mkdir()
    text = altered("effects: [reset_vote]", "effects: [reset_votes]")
    (procedures / "reference-v1.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(ProcedureError) as refused:
        make_app(tmp_path, postgres_url, PROCEDURES_DIR=str(procedures))
    assert f"reference-v1.yaml:{line_of(text, 'effects: [reset_votes]')}: unknown effect 'reset_votes'" \
        in str(refused.value)


def test_procedures_check_names_each_fault(app, tmp_path):
    good = tmp_path / "good.yaml"
    good.write_text(REFERENCE_TEXT, encoding="utf-8")
    bad = tmp_path / "bad.yaml"
    text = altered("rules: [forwarded_type]", "rules: [forwarded_typ]")
    bad.write_text(text, encoding="utf-8")
    runner = app.test_cli_runner()

    result = runner.invoke(args=["procedures", "check", str(good)])
    assert result.exit_code == 0, result.output
    assert "reference v1 is valid (12 states, 18 steps)" in result.output

    result = runner.invoke(args=["procedures", "check", str(good), str(bad)])
    assert result.exit_code == 1
    assert f"{bad}:{line_of(text, 'rules: [forwarded_typ]')}: unknown rule 'forwarded_typ'" in result.output


def test_procedures_list_and_show_print_what_is_loaded(app):
    runner = app.test_cli_runner()
    listed = runner.invoke(args=["procedures", "list"])
    assert listed.exit_code == 0, listed.output
    assert f"reference v1 (new dossiers): 2024 award procedure - {REFERENCE_FILE}" in listed.output

    shown = runner.invoke(args=["procedures", "show", "reference"])
    assert shown.exit_code == 0, shown.output
    assert "returned         Trả lại bổ sung / Returned for supplement  [editable]" in shown.output
    assert "return     in_appraisal -> returned (appraiser, responsible)" in shown.output

    missing = runner.invoke(args=["procedures", "show", "gifts"])
    assert missing.exit_code == 1 and "No procedure gifts is loaded." in missing.output


def test_pages_show_the_files_labels_in_the_readers_language(app, factory):
    """State and event labels come from the procedure file, by locale; the .po catalogue does not hold them."""
    catalogue_text = Path("web/translations/vi/LC_MESSAGES/messages.po").read_text(encoding="utf-8")
    assert 'msgid "Returned for supplement"' not in catalogue_text
    assert 'msgid "Record the award decision"' not in catalogue_text
    dossier = factory.dossier("returned")
    submitter = factory.user_once("submitter", "ba-dinh")

    page = sign_in(app, submitter).get(f"/dossiers/{dossier.id}").text
    assert "Trả lại bổ sung" in page and "Nộp lại" in page and "Returned for supplement" not in page

    page = sign_in(app, submitter, language="en").get(f"/dossiers/{dossier.id}").text
    assert "Returned for supplement" in page and "Resubmit" in page and "Trả lại bổ sung" not in page


def test_the_council_votes_only_in_a_voting_state():
    text = altered('  council_review: {vi: "Hội đồng xét", en: "Council review", voting: true}',
                   '  council_review: {vi: "Hội đồng xét", en: "Council review"}')
    faults = faults_of(text)
    approve = line_of(text, "  - event: approve\n")
    recommend = line_of(text, "  - event: recommend\n")
    assert faults == [
        (recommend, "effect 'reset_vote' leads to 'council_review', which is not a voting state (voting: true)"),
        (approve, "rule 'vote_quorum' counts the council's vote, but 'council_review' is not a voting state "
                  "(voting: true)"),
    ]
