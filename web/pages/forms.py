"""The pages' forms (Flask-WTF: every form carries its CSRF token)."""
from __future__ import annotations

import flask_babel
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm as BaseForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField, DateField, DecimalField, HiddenField, IntegerField, PasswordField, SelectField,
    SelectMultipleField, StringField, SubmitField, TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget, TextInput

from workflow.i18n import N_
from workflow.models import INVITATION_RECIPIENTS, INVITATION_SYMBOL, SIGNER_TITLE, CampaignStatus
from workflow.settings import MAX_DISCLOSURE_DAYS
from workflow.rules import DOCUMENT_KINDS
from workflow.text import TextRefused, clean_line, clean_lines

DATE_FORMAT = "%d/%m/%Y"
# WTForms' own messages that these forms can show; marked so that the catalogue carries them
# (WTForms ships no Vietnamese).
WTFORMS_MESSAGES = (
    N_("This field is required."),
    N_("Not a valid choice."),
    N_("Not a valid integer value."),
    N_("Not a valid decimal value."),
    N_("Number must be between %(min)s and %(max)s."),
)


class BabelTranslations:
    """WTForms' messages through the application's own catalogue."""

    def gettext(self, string):
        return flask_babel.gettext(string)

    def ngettext(self, singular, plural, n):
        return flask_babel.ngettext(singular, plural, n)


class NameField(StringField):
    """A name: invisible characters are removed."""


def _text_policy(field_class):
    """The one text policy (workflow.text) as a WTForms filter; a refusal is the field's error."""
    def apply(value):
        if not isinstance(value, str):
            return value
        try:
            if issubclass(field_class, TextAreaField):
                return clean_lines(value)
            return clean_line(value, name=issubclass(field_class, NameField))
        except TextRefused as refused:
            raise ValueError(refused.message.render(flask_babel.gettext)) from None
    return apply


class FlaskForm(BaseForm):
    class Meta:
        def get_translations(self, form):
            return BabelTranslations()

        def bind_field(self, form, unbound_field, options):
            """Every text field of every form, but passwords, passes the text policy before its own filters."""
            field_class = unbound_field.field_class
            if issubclass(field_class, StringField) and not issubclass(field_class, PasswordField):
                options = {**options, "filters": (_text_policy(field_class), *unbound_field.kwargs.get("filters", ()))}
            return unbound_field.bind(form=form, **options)


def at_most(length: int) -> Length:
    return Length(max=length, message=_l("At most %(max)d characters."))


class VnDateField(DateField):
    """A date typed as dd/mm/yyyy in a text box, whatever the browser's own date format."""

    widget = TextInput()

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("format", DATE_FORMAT)
        kwargs.setdefault("render_kw", {"placeholder": "dd/mm/yyyy", "inputmode": "numeric"})
        super().__init__(label, validators, **kwargs)
        self.messages = {"invalid": _l("Write the date as dd/mm/yyyy.")}

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(self.messages["invalid"]) from None


class CheckboxListField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def pre_validate(self, form):
        allowed = {value for value, _label in self.choices}
        if any(value not in allowed for value in self.data or []):
            raise ValueError(self.gettext("Not a valid choice."))


class LoginForm(FlaskForm):
    username = StringField(_l("Username"), validators=[DataRequired()], render_kw={"autocomplete": "username"})
    password = PasswordField(_l("Password"), validators=[DataRequired()],
                             render_kw={"autocomplete": "current-password"})
    submit = SubmitField(_l("Sign in"))


class PasswordChangeForm(FlaskForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired()],
                                     render_kw={"autocomplete": "current-password"})
    new_password = PasswordField(_l("New password (at least 8 characters)"), validators=[DataRequired()],
                                 render_kw={"autocomplete": "new-password"})
    confirm_password = PasswordField(_l("New password again"), validators=[DataRequired()],
                                     render_kw={"autocomplete": "new-password"})


class ActionForm(FlaskForm):
    """A bare form: a button that posts with its CSRF token."""


class LanguageForm(FlaskForm):
    language = HiddenField()


class DossierForm(FlaskForm):
    campaign = SelectField(_l("Campaign"), validators=[InputRequired()])
    award_type = SelectField(_l("Award type"), validators=[InputRequired()])
    kind = SelectField(_l("Nominee"), choices=[("individual", _l("Individual")), ("collective", _l("Collective"))])
    name = NameField(_l("Name of the nominee"), validators=[DataRequired(), at_most(255)])
    position = StringField(_l("Position"), validators=[Optional(), at_most(255)])
    workplace = StringField(_l("Workplace"), validators=[Optional(), at_most(255)])
    birth_year = IntegerField(_l("Year of birth"), validators=[Optional(), NumberRange(1900, 2100)])
    gender = SelectField(_l("Gender"), choices=[("", "—"), ("female", _l("Female")), ("male", _l("Male"))],
                         validators=[Optional()])
    achievements = TextAreaField(_l("Achievements"), validators=[Optional()], render_kw={"rows": 8})
    version = HiddenField()
    submit = SubmitField(_l("Save"))


class MergeForm(FlaskForm):
    into = IntegerField(_l("Number of the entry to keep"), validators=[InputRequired(), NumberRange(1, 2**31 - 1)])
    submit = SubmitField(_l("Merge"))


class UploadForm(FlaskForm):
    kind = SelectField(_l("Kind of document"))
    file = FileField(_l("File (PDF, DOCX, XLSX, JPEG or PNG)"), validators=[FileRequired()])
    submit = SubmitField(_l("Upload"))


class ReplaceForm(FlaskForm):
    file = FileField(_l("New file"), validators=[FileRequired()])


class EventForm(FlaskForm):
    version = HiddenField(validators=[InputRequired()])
    comment = TextAreaField(_l("Comment"), validators=[Optional()], render_kw={"rows": 4})
    due_date = VnDateField(_l("Due date for resubmission"), validators=[Optional()])
    decision_number = StringField(_l("Decision number"), validators=[Optional(), at_most(64)])
    decision_date = VnDateField(_l("Decision date"), validators=[Optional()])
    date = VnDateField(_l("Date"), validators=[Optional()])
    submit = SubmitField(_l("Confirm"))


# Each input a step may declare (workflow.procedure.INPUT_TYPES) is the field of that name; the event page
# shows those its step declares, labelled and hinted thus.
INPUT_LABELS = {"comment": _l("Comment"), "due_date": _l("Due date for resubmission"),
                "decision_number": _l("Decision number"), "decision_date": _l("Decision date"), "date": _l("Date")}
INPUT_HINTS = {"due_date": "dd/mm/yyyy", "decision_date": "dd/mm/yyyy", "date": "dd/mm/yyyy"}
# A comment that a rule requires is called for what that rule asks.
COMMENT_LABELS = {"reason_required": _l("Reason"), "note_required": _l("Appraisal note"),
                  "answer_required": _l("The higher authority's answer")}
PER_DOCUMENT_HINT = _l("Other remarks for the unit.")


def input_fields(form: EventForm, step) -> list[dict]:
    """The fields of `form` that `step` declares, in its order, each with its label and hint."""
    fields = []
    for item in step.inputs:
        label = INPUT_LABELS[item.name]
        if item.name == "comment" and not item.per_document:
            label = next((COMMENT_LABELS[code] for code in step.input_rules if code in COMMENT_LABELS), label)
        hint = PER_DOCUMENT_HINT if item.per_document else INPUT_HINTS.get(item.name)
        due = step.effect("set_due_date") if item.name == "due_date" else None
        if due:
            hint = flask_babel.ngettext("dd/mm/yyyy; %(num)d working day from today unless you change it.",
                                        "dd/mm/yyyy; %(num)d working days from today unless you change it.",
                                        due["working_days"])
        fields.append({"input": item, "field": form[item.name], "label": label, "hint": hint})
    return fields


# A comment asked per document: one reason per kind of document, text fields of the form like any other.
for _kind in DOCUMENT_KINDS:
    setattr(EventForm, f"reason_{_kind}", StringField(validators=[Optional()]))


class VoteForm(FlaskForm):
    vote = SelectField(_l("Your vote"), choices=[("agree", _l("Agree")), ("disagree", _l("Disagree")),
                                                 ("abstain", _l("Abstain"))])
    submit = SubmitField(_l("Cast my vote"))


class CouncilSessionForm(FlaskForm):
    held_on = VnDateField(_l("Date of the session"), validators=[DataRequired()])
    place = StringField(_l("Place"), validators=[DataRequired(), at_most(255)])


class DecisionForm(FlaskForm):
    number = StringField(_l("Decision number"), validators=[DataRequired(), at_most(64)])
    decided_on = VnDateField(_l("Decision date"), validators=[DataRequired()])
    signer_name = NameField(_l("Signer's name"), validators=[DataRequired(), at_most(255)])
    signer_title = StringField(_l("Signer's title"), validators=[DataRequired(), at_most(255)])
    # Checked by the operation, as the API's value is.
    issuer = SelectField(_l("Issued by"), validate_choice=False)


class ForwardingForm(FlaskForm):
    number = StringField(_l("Letter number"), validators=[DataRequired(), at_most(64)])
    sent_on = VnDateField(_l("Letter date"), validators=[DataRequired()])
    signer_name = NameField(_l("Signer's name"), validators=[DataRequired(), at_most(255)])
    signer_title = StringField(_l("Signer's title"), validators=[DataRequired(), at_most(255)])
    # Checked by the operation, as the API's value is.
    authority = SelectField(_l("Higher authority"), validate_choice=False)


class ForwardingAnswerForm(FlaskForm):
    # Required when a dossier is conferred: the operation says so beside each field.
    decision_number = StringField(_l("Decision number"), validators=[Optional(), at_most(64)])
    decided_on = VnDateField(_l("Decision date"), validators=[Optional()])
    signer_name = NameField(_l("Signer's name"), validators=[Optional(), at_most(255)])
    signer_title = StringField(_l("Signer's title"), validators=[Optional(), at_most(255)])
    answer_text = TextAreaField(_l("The authority's answer for the dossiers not conferred"),
                                validators=[Optional(), at_most(4000)], render_kw={"rows": 3})


class SignedDecisionForm(FlaskForm):
    file = FileField(_l("The signed decision (PDF)"), validators=[FileRequired()])


class BulkForm(FlaskForm):
    event = SelectField(_l("Action"))  # the choices depend on the person (web.pages.dossiers._bulk_form)
    submit = SubmitField(_l("Apply to the selected dossiers"))


class CampaignForm(FlaskForm):
    code = StringField(_l("Code"), validators=[Optional(), at_most(64)])
    name = StringField(_l("Name"), validators=[DataRequired(), at_most(255)])
    year = IntegerField(_l("Year"), validators=[InputRequired(), NumberRange(2000, 2100)])
    submission_deadline = VnDateField(_l("Submission deadline"), validators=[Optional()])
    ceremony_date = VnDateField(_l("Ceremony date"), validators=[Optional()])
    ceremony_time = StringField(_l("Ceremony time"), validators=[Optional(), at_most(16)])
    ceremony_place = StringField(_l("Ceremony place"), validators=[Optional(), at_most(255)])
    event_title = StringField(_l("Event the awardees are invited to"), validators=[Optional(), at_most(500)])
    invitation_number = StringField(_l("Invitation number"), validators=[Optional(), at_most(32)])
    invitation_symbol = StringField(_l("Invitation symbol"), default=INVITATION_SYMBOL,
                                    validators=[DataRequired(), at_most(32)])
    signer_name = NameField(_l("Signer's name"), validators=[Optional(), at_most(255)])
    signer_title = TextAreaField(_l("Signer's title"), default=SIGNER_TITLE, validators=[DataRequired(), at_most(255)],
                                 render_kw={"rows": 2})
    invitation_recipients = TextAreaField(_l("Distribution list (Nơi nhận)"), default=INVITATION_RECIPIENTS,
                                          validators=[DataRequired(), at_most(2000)], render_kw={"rows": 3})
    status = SelectField(_l("Status"), choices=[(CampaignStatus.OPEN.value, _l("Open")),
                                                (CampaignStatus.CLOSED.value, _l("Closed"))])
    submit = SubmitField(_l("Save"))


class AwardTypeForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), at_most(500)])
    rank = IntegerField(_l("Rank in the honours list (lower comes first)"),
                        validators=[InputRequired(), NumberRange(0, 10000)])
    forwarded = BooleanField(_l("Decided by a higher authority (forwarded)"))
    required_documents = CheckboxListField(_l("Required documents"))
    quota_per_unit = IntegerField(_l("Quota per unit and campaign (empty: none)"),
                                  validators=[Optional(), NumberRange(1, 10000)])
    vote_quorum = DecimalField(_l("Vote quorum (fraction of the council)"), places=4,
                               validators=[InputRequired()])
    vote_threshold = DecimalField(_l("Approval threshold (fraction of the council)"), places=4,
                                  validators=[InputRequired()])
    legal_basis = TextAreaField(_l("Legal basis"), validators=[Optional()], render_kw={"rows": 3})
    disclosure_days = IntegerField(_l("Public disclosure (working days; empty or 0: none)"),
                                   validators=[Optional(), NumberRange(0, MAX_DISCLOSURE_DAYS)])
    vote_denominator = SelectField(_l("A council session counts the quorum and threshold over"), choices=[
        ("membership", _l("the whole membership")), ("present", _l("the members present"))])
    active = BooleanField(_l("In use"))
    # Checked by the operation, as the API's value is: an unknown one is refused beside the field.
    procedure = SelectField(_l("Procedure"), validate_choice=False)
    award_form_code = SelectField(_l("Award form"), validate_choice=False)
    issuer_code = SelectField(_l("Conferred by"), validate_choice=False)
    submit = SubmitField(_l("Save"))


class UserForm(FlaskForm):
    username = StringField(_l("Username"), validators=[Optional(), at_most(64)])
    full_name = NameField(_l("Full name"), validators=[Optional(), at_most(255)])
    email = StringField(_l("E-mail"), validators=[DataRequired(), at_most(255)])
    role = SelectField(_l("Role"))
    unit = SelectField(_l("Unit"))
    password = PasswordField(_l("Password (at least 8 characters)"), validators=[Optional()],
                             render_kw={"autocomplete": "new-password"})
    active = BooleanField(_l("Active"), default=True)
    submit = SubmitField(_l("Save"))


class UnitForm(FlaskForm):
    code = StringField(_l("Code"), validators=[Optional(), at_most(64)])
    name = StringField(_l("Name"), validators=[DataRequired(), at_most(255)])
    kind = SelectField(_l("Kind"))
    parent = SelectField(_l("Parent unit"), validators=[Optional()])
    sort_order = IntegerField(_l("Order"), validators=[Optional(), NumberRange(0, 100000)])
    active = BooleanField(_l("Active"), default=True)
    submit = SubmitField(_l("Save"))


class CommentForm(FlaskForm):
    """A comment from anyone on a dossier in public disclosure. `website` is a trap: hidden from people, a robot
    filling it in is answered as if its comment were taken, and nothing is kept."""

    body = TextAreaField(_l("Your comment"), validators=[DataRequired()], render_kw={"rows": 4})
    contact = StringField(_l("Your name and how to reach you (optional)"), validators=[Optional(), at_most(255)])
    website = StringField(_l("Leave this field empty"), validators=[Optional()],
                          render_kw={"autocomplete": "off", "tabindex": "-1"})
    submit = SubmitField(_l("Send the comment"))


class ResolutionForm(FlaskForm):
    resolution = TextAreaField(_l("How the comment was resolved"), validators=[DataRequired(), at_most(10_000)],
                               render_kw={"rows": 2})
    submit = SubmitField(_l("Record the resolution"))


class OverrideForm(FlaskForm):
    """Override an eligibility warning on the dossier's page: the reason is kept in its history."""

    rule = IntegerField(validators=[InputRequired(), NumberRange(1, 2**31 - 1)])
    version = IntegerField(validators=[InputRequired(), NumberRange(0, 2**31 - 1)])
    reason = TextAreaField(_l("Reason for overriding the warning"), validators=[DataRequired(), at_most(2000)],
                           render_kw={"rows": 3})


class HistoryImportForm(FlaskForm):
    kind = SelectField(_l("What the file holds"), choices=[("history", _l("Award history of earlier years")),
                                                          ("ratings", _l("Collectives' emulation ratings"))])
    file = FileField(_l("Filled template (XLSX)"), validators=[FileRequired()])
    submit = SubmitField(_l("Import"))


class RuleSetForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), at_most(255)])
    legal_basis = TextAreaField(_l("Legal basis (the text cited)"), validators=[DataRequired(), at_most(5000)],
                                render_kw={"rows": 3})
    in_force_from = VnDateField(_l("In force from"), validators=[InputRequired()])
    in_force_until = VnDateField(_l("In force until (empty: no end)"), validators=[Optional()])
    submit = SubmitField(_l("Create the rule set"))


class RuleForm(FlaskForm):
    award_type = SelectField(_l("Award type"))
    kind = SelectField(_l("Kind of rule"))
    years = IntegerField(_l("Years"), validators=[InputRequired(), NumberRange(0, 50)])
    title = StringField(_l("Title or rating (where the kind reads one)"), validators=[Optional(), at_most(500)])
    article = StringField(_l("Article cited (e.g. Khoản 2 Điều 24)"), validators=[Optional(), at_most(255)])
    severity = SelectField(_l("When the rule is not met"))
    submit = SubmitField(_l("Add the rule"))

