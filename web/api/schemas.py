"""Request and response schemas of the API; the OpenAPI document is generated from them."""
from collections.abc import Mapping

from marshmallow import EXCLUDE, Schema, ValidationError, fields, pre_load, validate
from flask_babel import gettext
from flask_smorest.fields import Upload

from workflow.models import CampaignStatus
from workflow.nominees import COLLECTIVE_KINDS
from workflow.procedure import catalogue
from workflow.rules import DOCUMENT_KINDS, PACKET_KINDS
from workflow.settings import CAMPAIGN_STATUSES, MAX_DISCLOSURE_DAYS, VOTE_DENOMINATORS
from workflow.text import TextRefused, clean_line, clean_lines

CODE = validate.Regexp(r"^[a-z0-9][a-z0-9_-]{0,63}$", error="Use lower-case letters, digits, '-' and '_'.")


class Lines(fields.String):
    """Multi-line text: line breaks and tabs are allowed."""


class Name(fields.String):
    """A name: invisible characters are removed."""


class Secret(fields.String):
    """A password: taken as sent, never normalised."""


class LoadedOneOf(validate.OneOf):
    """One of the events or states of the procedures the app runs (read when used: they load at start-up)."""

    def __init__(self, kind: str):
        self.kind = kind
        self.labels, self.labels_text, self.error = [], "", self.default_message

    @property
    def choices(self) -> tuple[str, ...]:
        return getattr(catalogue(), self.kind)

    @property
    def choices_text(self) -> str:
        return ", ".join(self.choices)


class In(Schema):
    """Every request schema: each text field passes the one text policy (workflow.text) before validation."""

    class Meta:
        unknown = EXCLUDE

    @pre_load
    def apply_text_policy(self, data, **_kwargs):
        if not isinstance(data, Mapping):
            return data
        cleaned, errors = dict(data.items()), {}
        for field in self.load_fields.values():
            key = field.data_key or field.name
            value = cleaned.get(key)
            if not isinstance(value, str) or not isinstance(field, fields.String) or isinstance(field, Secret):
                continue
            try:
                cleaned[key] = clean_lines(value) if isinstance(field, Lines) \
                    else clean_line(value, name=isinstance(field, Name))
            except TextRefused as refused:
                errors[key] = [refused.message.render(gettext)]
        if errors:
            raise ValidationError(errors)
        return cleaned


class ErrorDetail(Schema):
    rule = fields.String()
    field = fields.String()
    # The dossier a batch action refused (batch_refused): each refused dossier has its own details.
    dossier = fields.Integer()
    row = fields.Integer()
    column = fields.String()
    message = fields.String(required=True)


class ErrorBody(Schema):
    code = fields.String(required=True)
    message = fields.String(required=True)
    details = fields.List(fields.Nested(ErrorDetail))


class Error(Schema):
    error = fields.Nested(ErrorBody, required=True)


class TokenIn(In):
    username = fields.String(required=True, validate=validate.Length(min=1, max=64))
    password = Secret(required=True, validate=validate.Length(min=1, max=256))


class TokenOut(Schema):
    token = fields.String(required=True)
    expires_at = fields.DateTime(required=True)


class TokenInfo(Schema):
    id = fields.Integer(required=True)
    kind = fields.String(required=True, metadata={"description": "`api`: asked for with a password; `page`: "
                                                                 "given to a page of the site for a session"})
    created_at = fields.DateTime(required=True)
    expires_at = fields.DateTime(required=True)
    current = fields.Boolean(required=True, metadata={"description": "the token this request was made with"})


class UnitOut(Schema):
    code = fields.String(required=True)
    name = fields.String(required=True)
    kind = fields.String(required=True)
    parent = fields.String(allow_none=True)


class AwardTypeOut(Schema):
    code = fields.String(required=True)
    name = fields.String(required=True)
    subject = fields.String(required=True)
    rank = fields.Integer(required=True)
    forwarded = fields.Boolean(required=True)
    required_documents = fields.List(fields.String(), required=True)
    quota_per_unit = fields.Integer(allow_none=True)
    vote_quorum = fields.Float(required=True)
    vote_threshold = fields.Float(required=True)
    responsible_unit = fields.String()
    legal_basis = fields.String()
    procedure = fields.String(metadata={"description": "the code of the procedure its dossiers follow "
                                                       "(GET /procedures)"})
    disclosure_days = fields.Integer(metadata={"description": "working days of public disclosure (0: none)"})
    vote_denominator = fields.String(validate=validate.OneOf(VOTE_DENOMINATORS), metadata={
        "description": "what a council session's quorum and threshold are fractions of"})
    award_form = fields.String(required=True, metadata={"description": "what is given (GET /award-forms)"})
    award_form_name = fields.String(required=True)
    issuer = fields.String(required=True, metadata={"description": "who confers it (GET /issuers)"})
    issuer_name = fields.String(required=True)
    form_in_plan = fields.Boolean(required=True, metadata={
        "description": "whether the plan names the form and issuer; otherwise the organisation's own choice"})


class CodeNameOut(Schema):
    code = fields.String(required=True)
    name = fields.String(required=True)


class Labels(Schema):
    vi = fields.String(required=True)
    en = fields.String(required=True)


class ChoiceOut(Schema):
    code = fields.String(required=True)
    label = fields.Nested(Labels, required=True)


class FieldOut(Schema):
    name = fields.String(required=True, metadata={"description": "its key in a dossier's `details`"})
    type = fields.String(required=True, validate=validate.OneOf(["text", "int", "date", "choice"]))
    label = fields.Nested(Labels, required=True)
    required = fields.Boolean(required=True)
    recorded = fields.Boolean(required=True, metadata={
        "description": "written by a step of the procedure (e.g. the date a gift was handed over), not by the unit"})
    min = fields.Integer(allow_none=True, metadata={"description": "text: fewest characters; int: lowest value"})
    max = fields.Integer(allow_none=True, metadata={"description": "text: most characters; int: highest value"})
    choices = fields.List(fields.Nested(ChoiceOut), required=True)


class ProcedureOut(Schema):
    code = fields.String(required=True)
    version = fields.Integer(required=True)
    title = fields.Nested(Labels, required=True)
    fields_ = fields.List(fields.Nested(FieldOut), required=True, data_key="fields", metadata={
        "description": "what a dossier of this procedure holds besides the nominee, in `details`"})


class AwardTypePatch(In):
    """The settings to change; those left out stay as they are. Fractions are checked as their column keeps
    them (4 decimals): above 0 and at most 1."""

    name = fields.String(validate=validate.Length(min=1, max=500))
    rank = fields.Integer(strict=True, validate=validate.Range(min=0, max=10_000))
    forwarded = fields.Boolean()
    required_documents = fields.List(fields.String(validate=validate.Length(max=32)), validate=validate.Length(max=20))
    quota_per_unit = fields.Integer(strict=True, allow_none=True, validate=validate.Range(min=1, max=10_000))
    vote_quorum = fields.Decimal(allow_nan=True)
    vote_threshold = fields.Decimal(allow_nan=True)
    legal_basis = fields.String(validate=validate.Length(max=10_000))
    active = fields.Boolean()
    # a loaded procedure's code: new dossiers follow its newest version, those under way keep theirs
    procedure = fields.String(validate=validate.Length(min=1, max=64))
    disclosure_days = fields.Integer(strict=True, validate=validate.Range(min=0, max=MAX_DISCLOSURE_DAYS))
    # what a council session's quorum and threshold are fractions of
    vote_denominator = fields.String(validate=validate.OneOf(VOTE_DENOMINATORS))
    # the codes of an award form (GET /award-forms) and of an issuer (GET /issuers)
    award_form = fields.String(validate=validate.Length(min=1, max=64))
    issuer = fields.String(validate=validate.Length(min=1, max=64))


class AwardTypeChangeOut(Schema):
    at = fields.DateTime(required=True)
    actor = fields.String(required=True)
    field = fields.String(required=True)
    old = fields.Raw(allow_none=True)
    new = fields.Raw(allow_none=True)


class CampaignIn(In):
    code = fields.String(required=True, validate=CODE)
    name = fields.String(required=True, validate=validate.Length(min=1, max=255))
    year = fields.Integer(required=True, validate=validate.Range(min=2000, max=2100))
    submission_deadline = fields.Date(load_default=None, allow_none=True)
    ceremony_date = fields.Date(load_default=None, allow_none=True)
    ceremony_time = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=16))
    ceremony_place = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=255))
    status = fields.String(load_default=CampaignStatus.OPEN.value, validate=validate.OneOf(CAMPAIGN_STATUSES))
    event_title = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500), metadata={
        "description": "the event the invitation letter invites the awardees to"})
    invitation_number = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=32), metadata={
        "description": "the invitation letter's number; without one it is left blank, to be filled in by hand"})
    invitation_symbol = fields.String(load_default=None, allow_none=True, validate=validate.Length(min=1, max=32),
                                      metadata={"description": "what follows the number, e.g. GM-HPN (the default)"})
    signer_name = Name(load_default=None, allow_none=True, validate=validate.Length(max=255))
    signer_title = Lines(load_default=None, allow_none=True, validate=validate.Length(min=1, max=255), metadata={
        "description": "one line each of the signature block; default TM. BAN THƯỜNG VỤ / CHỦ TỊCH"})
    invitation_recipients = Lines(load_default=None, allow_none=True, validate=validate.Length(min=1, max=2000),
                                  metadata={"description": "the distribution list (Nơi nhận), one line each"})


class CampaignOut(Schema):
    code = fields.String(required=True)
    name = fields.String(required=True)
    year = fields.Integer(required=True)
    submission_deadline = fields.Date(allow_none=True)
    ceremony_date = fields.Date(allow_none=True)
    ceremony_time = fields.String(allow_none=True)
    ceremony_place = fields.String(allow_none=True)
    status = fields.String(required=True)
    event_title = fields.String(allow_none=True)
    invitation_number = fields.String(allow_none=True)
    invitation_symbol = fields.String(required=True)
    signer_name = fields.String(allow_none=True)
    signer_title = fields.String(required=True)
    invitation_recipients = fields.String(required=True)


class Nominee(In):
    kind = fields.String(required=True, validate=validate.OneOf(["individual", "collective"]))
    name = Name(required=True, validate=validate.Length(min=1, max=255))
    position = fields.String(allow_none=True, validate=validate.Length(max=255))
    workplace = fields.String(allow_none=True, validate=validate.Length(max=255))
    birth_year = fields.Integer(allow_none=True, strict=True)
    gender = fields.String(allow_none=True, validate=validate.OneOf(["female", "male"]))
    birth_date = fields.Date(allow_none=True, metadata={
        "description": "kept in the registry entry a new entry is made with, not in the dossier"})
    identity_number = fields.String(allow_none=True, validate=validate.Length(max=12), metadata={
        "description": "the citizen identity number (CCCD, 12 digits), kept in a new registry entry"})
    collective_kind = fields.String(allow_none=True, validate=validate.OneOf(list(COLLECTIVE_KINDS)), metadata={
        "description": "a collective's kind, kept in a new registry entry"})


class NomineePatch(Nominee):
    """The nominee fields to change; those left out stay as they are."""

    class Meta:
        unknown = EXCLUDE

    def __init__(self, **kwargs):
        super().__init__(partial=True, **kwargs)


DETAILS_DESCRIPTION = ("the values of the fields the dossier's procedure asks for (GET /procedures), by field name: "
                       "text, a whole number, a date (YYYY-MM-DD) or a choice's code")


def _details(**kwargs):
    return fields.Dict(keys=fields.String(validate=validate.Length(max=64)), values=fields.Raw(allow_none=True),
                       validate=validate.Length(max=100), metadata={"description": DETAILS_DESCRIPTION}, **kwargs)


class DossierIn(In):
    campaign = fields.String(required=True, validate=validate.Length(min=1, max=64))
    award_type = fields.String(required=True, validate=validate.Length(min=1, max=64))
    nominee = fields.Nested(Nominee, required=True)
    nominee_id = fields.Integer(load_default=None, allow_none=True, strict=True, metadata={
        "description": "the registry entry the dossier refers to (GET /nominees); without it, the entry that fits "
                       "the nominee exactly (kind, name, year of birth, unit), else a new one"})
    achievements = Lines(load_default="", validate=validate.Length(max=100_000))
    details = _details(load_default=dict)


class DossierPatch(In):
    version = fields.Integer(required=True, strict=True)
    nominee = fields.Nested(NomineePatch)
    achievements = Lines(validate=validate.Length(max=100_000))
    details = _details()


class EventIn(In):
    event = fields.String(required=True, validate=LoadedOneOf("events"))
    version = fields.Integer(required=True, strict=True)
    comment = Lines(load_default=None, allow_none=True, validate=validate.Length(max=10_000))
    due_date = fields.Date(load_default=None, allow_none=True)
    decision_number = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=64))
    decision_date = fields.Date(load_default=None, allow_none=True)
    date = fields.Date(load_default=None, allow_none=True, metadata={
        "description": "the date a step records (e.g. a gift handed over), where the step asks for it"})


class VoteIn(In):
    vote = fields.String(required=True, validate=validate.OneOf(["agree", "disagree", "abstain"]))


class DocumentUpload(In):
    kind = fields.String(required=True, validate=validate.OneOf(list(DOCUMENT_KINDS)))
    file = Upload(required=True)


class DocumentOut(Schema):
    id = fields.Integer(required=True)
    kind = fields.String(required=True)
    filename = fields.String(required=True)
    size = fields.Integer(required=True)
    sha256 = fields.String(required=True)


class NomineeOut(Schema):
    id = fields.Integer(required=True, metadata={"description": "the registry entry (GET /nominees/{id})"})
    kind = fields.String(required=True)
    name = fields.String(required=True)
    position = fields.String(allow_none=True)
    workplace = fields.String(allow_none=True)
    birth_year = fields.Integer(allow_none=True)
    gender = fields.String(allow_none=True)
    personal_data_masked = fields.Boolean(required=True, metadata={
        "description": "true when the personal data (date or year of birth, identity number) is withheld from the "
                       "caller: shown only to the nominating unit's submitters, the office and the responsible "
                       "appraisers"})


class RevocationOut(Schema):
    number = fields.String(required=True)
    date = fields.Date(required=True)
    reason = fields.String(required=True)


class NomineeQuery(In):
    q = Name(required=True, validate=validate.Length(min=1, max=255), metadata={
        "description": "the start of the name, with or without diacritics"})
    kind = fields.String(validate=validate.OneOf(["individual", "collective"]))
    birth_year = fields.Integer(validate=validate.Range(min=1, max=9999), metadata={
        "description": "entries born that year come first"})


class EntryOut(Schema):
    id = fields.Integer(required=True)
    kind = fields.String(required=True)
    name = fields.String(required=True)
    unit = fields.String(required=True, metadata={"description": "a person's unit, a collective's parent unit"})
    unit_name = fields.String(required=True)
    birth_date = fields.Date(allow_none=True)
    birth_year = fields.Integer(allow_none=True)
    gender = fields.String(allow_none=True)
    position = fields.String(allow_none=True)
    identity_number = fields.String(allow_none=True)
    personal_data_masked = fields.Boolean(required=True, metadata={
        "description": "true when the personal data (date or year of birth, identity number) is withheld from the "
                       "caller: shown only to the nominating unit's submitters, the office and the responsible "
                       "appraisers"})
    collective_kind = fields.String(allow_none=True)
    merged_into = fields.Integer(allow_none=True, metadata={"description": "the entry it was merged into"})


class RecordQuery(In):
    format = fields.String(load_default="json", validate=validate.OneOf(["json", "docx"]))


class PersonalRecordOut(Schema):
    legal_basis = fields.String(required=True)
    generated_at = fields.String(required=True)
    nominee = fields.Dict(required=True, metadata={"description": "the registry entry, personal data unmasked"})
    merges = fields.List(fields.Dict(), required=True, metadata={"description": "the entries merged into it"})
    nominations = fields.List(fields.Dict(), required=True, metadata={
        "description": "every dossier of the entry: the fields as nominated, documents (names), steps, decision"})
    awards = fields.List(fields.Dict(), required=True, metadata={"description": "the lines of its award history"})


class NominationOut(Schema):
    dossier = fields.Integer(required=True)
    campaign = fields.String(required=True)
    year = fields.Integer(required=True)
    award_type = fields.String(required=True)
    state = fields.String(required=True, validate=LoadedOneOf("states"))


class AwardLineOut(Schema):
    id = fields.Integer(required=True)
    nominee = fields.Integer(required=True)
    award_type = fields.String(allow_none=True)
    form = fields.String(required=True)
    title = fields.String(required=True)
    year = fields.Integer(required=True)
    decision_number = fields.String(required=True)
    decision_date = fields.Date(allow_none=True)
    issuer = fields.String(required=True)
    dossier = fields.Integer(allow_none=True, metadata={"description": "the dossier conferred, if it was"})
    source = fields.String(required=True, metadata={"description": "`decision` or `import`"})
    revocation_number = fields.String(allow_none=True, metadata={"description": "the decision revoking it, if any"})
    revoked_on = fields.Date(allow_none=True)


class RatingOut(Schema):
    id = fields.Integer(required=True)
    nominee = fields.Integer(required=True)
    year = fields.Integer(required=True)
    rating = fields.String(required=True)


class NomineeDetailOut(EntryOut):
    nominations = fields.List(fields.Nested(NominationOut), required=True, metadata={
        "description": "its dossiers the caller sees, across campaigns, newest first"})
    awards = fields.List(fields.Nested(AwardLineOut), required=True, metadata={
        "description": "its award history, the latest year first; a revoked award is marked"})
    ratings = fields.List(fields.Nested(RatingOut), required=True, metadata={
        "description": "a collective's emulation ratings, the latest year first"})


class MergeIn(In):
    into = fields.Integer(required=True, strict=True, metadata={"description": "the entry to keep"})


class MergeOut(Schema):
    id = fields.Integer(required=True)
    kept = fields.Nested(EntryOut, required=True)
    merged = fields.Integer(required=True)
    dossiers = fields.List(fields.Integer(), required=True, metadata={
        "description": "the dossiers that referred to the merged entry and now refer to the kept one"})
    actor = fields.String(required=True)
    at = fields.DateTime(required=True)


class DecisionOut(Schema):
    number = fields.String(required=True)
    date = fields.Date(required=True)


class OpinionOut(Schema):
    event = fields.String(required=True, validate=LoadedOneOf("events"))
    party = fields.String(required=True, metadata={"description": "the code of the unit whose opinion it is"})
    party_name = fields.String(required=True)
    given = fields.Boolean(required=True)
    actor = fields.String(allow_none=True, metadata={"description": "who gave it (a username)"})
    at = fields.DateTime(allow_none=True)


class DossierOut(Schema):
    id = fields.Integer(required=True)
    campaign = fields.String(required=True)
    award_type = fields.String(required=True)
    unit = fields.String(required=True)
    nominee = fields.Nested(NomineeOut, required=True)
    achievements = fields.String(required=True)
    details = _details(required=True)
    state = fields.String(required=True, validate=LoadedOneOf("states"))
    version = fields.Integer(required=True)
    procedure = fields.String(required=True, metadata={"description": "the procedure the dossier follows"})
    procedure_version = fields.Integer(required=True, metadata={
        "description": "the version of the procedure it was created under, which it moves on"})
    documents = fields.List(fields.Nested(DocumentOut), required=True)
    due_date = fields.Date(allow_none=True)
    decision = fields.Nested(DecisionOut, allow_none=True)
    revocation = fields.Nested(RevocationOut, allow_none=True, metadata={
        "description": "the decision that revoked the award, once revoked (`decision` stays the conferring one)"})
    opinions = fields.List(fields.Nested(OpinionOut), required=True, metadata={
        "description": "in a state the procedure leaves only once several units have each given their opinion "
                       "(a step of scope each_party): each unit's, given or still awaited; empty otherwise"})
    created_at = fields.DateTime(required=True)
    updated_at = fields.DateTime(required=True)


class DossierQuery(In):
    campaign = fields.String()
    state = fields.String(validate=LoadedOneOf("states"))
    unit = fields.String()
    award_type = fields.String()
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=1_000_000))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))


class DossierPage(Schema):
    items = fields.List(fields.Nested(DossierOut), required=True)
    total = fields.Integer(required=True)
    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)


class HistoryOut(Schema):
    event = fields.String(required=True)
    from_state = fields.String(required=True)
    to_state = fields.String(required=True)
    actor = fields.String(required=True)
    comment = fields.String(allow_none=True)
    party = fields.String(allow_none=True, metadata={
        "description": "the code of the unit the actor spoke for, on a step that names its parties"})
    at = fields.DateTime(required=True)
    procedure = fields.String(required=True)
    procedure_version = fields.Integer(required=True)


class TallyOut(Schema):
    members = fields.Integer(required=True)
    cast = fields.Integer(required=True)
    agree = fields.Integer(required=True)
    disagree = fields.Integer(required=True)
    abstain = fields.Integer(required=True)
    quorum_met = fields.Boolean(required=True)
    threshold_met = fields.Boolean(required=True)
    quorum_needed = fields.Integer()
    agree_needed = fields.Integer()


class VoteOut(Schema):
    dossier = fields.Integer(required=True)
    voted = fields.Boolean(required=True)


class DisclosureIn(In):
    dossier_ids = fields.List(fields.Integer(strict=True, validate=validate.Range(min=1)), required=True,
                              validate=validate.Length(min=1, max=500))


class DisclosureOpened(Schema):
    dossier = fields.Integer(required=True)
    state = fields.String(required=True, validate=LoadedOneOf("states"))
    version = fields.Integer(required=True)
    ends_on = fields.Date(required=True, metadata={"description": "the last day of the window"})


class ResolutionIn(In):
    resolution = Lines(required=True, validate=validate.Length(min=1, max=10_000))


class DisclosureCommentOut(Schema):
    id = fields.Integer(required=True)
    dossier = fields.Integer(required=True)
    body = fields.String(required=True)
    contact = fields.String(allow_none=True)
    created_at = fields.DateTime(required=True)
    resolution = fields.String(allow_none=True)
    resolved_by = fields.String(allow_none=True, metadata={"description": "a username"})
    resolved_at = fields.DateTime(allow_none=True)


class PacketDocumentUpload(In):
    kind = fields.String(required=True, validate=validate.OneOf(list(PACKET_KINDS)))
    file = Upload(required=True)


class PacketDossierOut(Schema):
    id = fields.Integer(required=True)
    award_type = fields.String(required=True)
    nominee_name = fields.String(required=True)
    state = fields.String(required=True, validate=LoadedOneOf("states"))
    version = fields.Integer(required=True)
    missing_documents = fields.List(fields.String(), required=True)
    from_packet = fields.List(fields.String(), required=True,
                              metadata={"description": "required kinds only the unit packet holds"})


class PacketOut(Schema):
    campaign = fields.String(required=True)
    unit = fields.String(required=True)
    documents = fields.List(fields.Nested(DocumentOut), required=True)
    dossiers = fields.List(fields.Nested(PacketDossierOut), required=True)


class PacketMoved(Schema):
    dossier = fields.Integer(required=True)
    state = fields.String(required=True, validate=LoadedOneOf("states"))
    version = fields.Integer(required=True)


class CouncilSessionIn(In):
    held_on = fields.Date(required=True)
    place = Name(required=True, validate=validate.Length(min=1, max=255))
    dossier_ids = fields.List(fields.Integer(strict=True, validate=validate.Range(min=1)), required=True,
                              validate=validate.Length(min=1, max=500))


class BallotSheetIn(In):
    votes = fields.Dict(keys=fields.String(validate=validate.Length(max=12)),
                        values=fields.String(validate=validate.OneOf(["agree", "disagree", "abstain"])),
                        required=True, validate=validate.Length(min=1, max=500),
                        metadata={"description": "a choice per dossier id of the agenda"})


class ClosureIn(In):
    present = fields.List(fields.Integer(strict=True, validate=validate.Range(min=1)), required=True,
                          validate=validate.Length(max=500), metadata={"description": "the ids of the members present"})


class CouncilSessionItemOut(Schema):
    dossier = fields.Integer(required=True)
    nominee = fields.String(required=True)
    award_type = fields.String(required=True)
    state = fields.String(required=True, validate=LoadedOneOf("states"))
    members = fields.Integer(allow_none=True, metadata={"description": "the denominator, fixed at closing"})
    cast = fields.Integer(allow_none=True)
    agree = fields.Integer(allow_none=True)
    disagree = fields.Integer(allow_none=True)
    abstain = fields.Integer(allow_none=True)
    passed = fields.Boolean(allow_none=True)


class CouncilSessionOut(Schema):
    id = fields.Integer(required=True)
    held_on = fields.Date(required=True)
    place = fields.String(required=True)
    status = fields.String(required=True, validate=validate.OneOf(["convened", "closed"]))
    closed_at = fields.DateTime(allow_none=True)
    items = fields.List(fields.Nested(CouncilSessionItemOut), required=True)
    present = fields.List(fields.String(), required=True, metadata={"description": "usernames, once closed"})
    absent = fields.List(fields.String(), required=True)


class BallotSheetOut(Schema):
    session = fields.Integer(required=True)
    voted = fields.List(fields.Integer(), required=True, metadata={"description": "the dossiers voted on"})


class RefusalOut(Schema):
    dossier = fields.Integer(required=True)
    rule = fields.String(required=True)
    message = fields.String(required=True)


class ApprovedOut(Schema):
    dossier = fields.Integer(required=True)
    state = fields.String(required=True, validate=LoadedOneOf("states"))
    version = fields.Integer(required=True)


class ApprovalOut(Schema):
    moved = fields.List(fields.Nested(ApprovedOut), required=True, metadata={"description": "the dossiers approved"})
    not_passed = fields.List(fields.Nested(RefusalOut), required=True)


class AwardDecisionIn(In):
    number = fields.String(required=True, validate=validate.Length(min=1, max=64),
                           metadata={"description": "unique across the app, e.g. 125/QĐ-HPN"})
    decided_on = fields.Date(required=True)
    signer_name = Name(required=True, validate=validate.Length(min=1, max=255))
    signer_title = fields.String(required=True, validate=validate.Length(min=1, max=255),
                                 metadata={"description": "e.g. TM. BAN THƯỜNG VỤ – CHỦ TỊCH"})
    issuer = fields.String(required=True, validate=CODE, metadata={"description": "an issuer's code (GET /issuers)"})
    dossier_ids = fields.List(fields.Integer(strict=True, validate=validate.Range(min=1)), required=True,
                              validate=validate.Length(min=1, max=2000))


class ForwardingIn(In):
    number = fields.String(required=True, validate=validate.Length(min=1, max=64),
                           metadata={"description": "the union's letter (tờ trình), unique, e.g. 45/TTr-HPN"})
    sent_on = fields.Date(required=True)
    signer_name = Name(required=True, validate=validate.Length(min=1, max=255))
    signer_title = fields.String(required=True, validate=validate.Length(min=1, max=255))
    authority = fields.String(required=True, validate=CODE,
                              metadata={"description": "the higher authority: an issuer's code (GET /issuers)"})
    dossier_ids = fields.List(fields.Integer(strict=True, validate=validate.Range(min=1)), required=True,
                              validate=validate.Length(min=1, max=2000))


class ForwardingAnswerIn(In):
    conferred_ids = fields.List(fields.Integer(strict=True, validate=validate.Range(min=1)), load_default=list,
                                validate=validate.Length(max=2000), metadata={
                                    "description": "the dossiers the authority's decision confers; every other one "
                                                   "still waiting is declined with `answer_text`"})
    decision_number = fields.String(load_default=None, validate=validate.Length(max=64),
                                    metadata={"description": "required when a dossier is conferred"})
    decided_on = fields.Date(load_default=None)
    signer_name = Name(load_default=None, validate=validate.Length(max=255))
    signer_title = fields.String(load_default=None, validate=validate.Length(max=255))
    answer_text = fields.String(load_default="", validate=validate.Length(max=4000),
                                metadata={"description": "required when a dossier is declined"})


class ForwardingItemOut(Schema):
    dossier = fields.Integer(required=True)
    nominee_name = fields.String(required=True)
    award_type = fields.String(required=True)
    unit = fields.String(required=True)
    state = fields.String(required=True, validate=LoadedOneOf("states"))
    outcome = fields.String(allow_none=True, validate=validate.OneOf(["granted", "refused"]), metadata={
        "description": "what the answer said of it: its decision grants the award, or the authority refused it"})


class ForwardingOut(Schema):
    id = fields.Integer(required=True)
    number = fields.String(required=True)
    sent_on = fields.Date(required=True)
    signer_name = fields.String(required=True)
    signer_title = fields.String(required=True)
    authority = fields.String(required=True)
    authority_name = fields.String(required=True)
    letter_docx = fields.String(required=True)
    answered_at = fields.DateTime(allow_none=True)
    answer_text = fields.String(required=True)
    decision = fields.Integer(allow_none=True,
                              metadata={"description": "the authority's decision (GET /decisions/{id})"})
    items = fields.List(fields.Nested(ForwardingItemOut), required=True)


class AwardDecisionCandidatesQuery(In):
    award_type = fields.String(load_default=None, validate=CODE)
    unit = fields.String(load_default=None, validate=CODE)


class AwardDecisionCandidateOut(Schema):
    id = fields.Integer(required=True)
    nominee_name = fields.String(required=True)
    award_type = fields.String(required=True)
    unit = fields.String(required=True)
    state = fields.String(required=True, validate=LoadedOneOf("states"))
    issuer = fields.String(required=True, metadata={"description": "the code of its award type's issuer"})


class AwardDecisionItemOut(Schema):
    dossier = fields.Integer(required=True)
    nominee_name = fields.String(required=True)
    award_type = fields.String(required=True)
    unit = fields.String(required=True)
    state = fields.String(required=True, validate=LoadedOneOf("states"))


class AwardDecisionOut(Schema):
    id = fields.Integer(required=True)
    number = fields.String(required=True)
    decided_on = fields.Date(required=True)
    signer_name = fields.String(required=True)
    signer_title = fields.String(required=True)
    issuer = fields.String(required=True)
    issuer_name = fields.String(required=True)
    status = fields.String(required=True, validate=validate.OneOf(["prepared", "recorded"]))
    signed_pdf = fields.String(allow_none=True, metadata={"description": "where to download the signed copy, once "
                                                                         "uploaded"})
    recorded_at = fields.DateTime(allow_none=True)
    items = fields.List(fields.Nested(AwardDecisionItemOut), required=True)


class SignedDecisionUpload(In):
    file = Upload(required=True)
