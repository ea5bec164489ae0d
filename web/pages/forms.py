"""The pages' forms (Flask-WTF: every form carries its CSRF token)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField, DateField, DecimalField, HiddenField, IntegerField, PasswordField, SelectField,
    SelectMultipleField, StringField, SubmitField, TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget, TextInput

DATE_FORMAT = "%d/%m/%Y"


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


class LoginForm(FlaskForm):
    username = StringField(_l("Username"), validators=[DataRequired()], render_kw={"autocomplete": "username"})
    password = PasswordField(_l("Password"), validators=[DataRequired()],
                             render_kw={"autocomplete": "current-password"})
    submit = SubmitField(_l("Sign in"))


class ActionForm(FlaskForm):
    """A bare form: a button that posts with its CSRF token."""


class LanguageForm(FlaskForm):
    language = HiddenField()


class DossierForm(FlaskForm):
    campaign = SelectField(_l("Campaign"), validators=[InputRequired()])
    award_type = SelectField(_l("Award type"), validators=[InputRequired()])
    kind = SelectField(_l("Nominee"), choices=[("individual", _l("Individual")), ("collective", _l("Collective"))])
    name = StringField(_l("Name of the nominee"), validators=[DataRequired(), Length(max=255)])
    position = StringField(_l("Position"), validators=[Optional(), Length(max=255)])
    workplace = StringField(_l("Workplace"), validators=[Optional(), Length(max=255)])
    birth_year = IntegerField(_l("Year of birth"), validators=[Optional(), NumberRange(1900, 2100)])
    gender = SelectField(_l("Gender"), choices=[("", "—"), ("female", _l("Female")), ("male", _l("Male"))],
                         validators=[Optional()])
    achievements = TextAreaField(_l("Achievements"), validators=[Optional()], render_kw={"rows": 8})
    version = HiddenField()
    submit = SubmitField(_l("Save"))


class UploadForm(FlaskForm):
    kind = SelectField(_l("Kind of document"))
    file = FileField(_l("File (PDF, DOCX, XLSX, JPEG or PNG)"), validators=[FileRequired()])
    submit = SubmitField(_l("Upload"))


class EventForm(FlaskForm):
    version = HiddenField(validators=[InputRequired()])
    comment = TextAreaField(_l("Comment"), validators=[Optional()], render_kw={"rows": 4})
    due_date = VnDateField(_l("Due date for resubmission"), validators=[Optional()])
    decision_number = StringField(_l("Decision number"), validators=[Optional(), Length(max=64)])
    decision_date = VnDateField(_l("Decision date"), validators=[Optional()])
    submit = SubmitField(_l("Confirm"))


class VoteForm(FlaskForm):
    vote = SelectField(_l("Your vote"), choices=[("agree", _l("Agree")), ("disagree", _l("Disagree"))])
    submit = SubmitField(_l("Cast my vote"))


class BulkForm(FlaskForm):
    event = SelectField(_l("Action"), choices=[("accept", _l("Accept for appraisal")),
                                                ("forward", _l("Forward to higher authority"))])
    submit = SubmitField(_l("Apply to the selected dossiers"))


class CampaignForm(FlaskForm):
    code = StringField(_l("Code"), validators=[Optional(), Length(max=64)])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=255)])
    year = IntegerField(_l("Year"), validators=[InputRequired()])
    submission_deadline = VnDateField(_l("Submission deadline"), validators=[Optional()])
    ceremony_date = VnDateField(_l("Ceremony date"), validators=[Optional()])
    ceremony_time = StringField(_l("Ceremony time"), validators=[Optional(), Length(max=16)])
    ceremony_place = StringField(_l("Ceremony place"), validators=[Optional(), Length(max=255)])
    status = SelectField(_l("Status"), choices=[("open", _l("Open")), ("closed", _l("Closed"))])
    submit = SubmitField(_l("Save"))


class AwardTypeForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=500)])
    rank = IntegerField(_l("Rank in the honours list (lower comes first)"), validators=[InputRequired()])
    forwarded = BooleanField(_l("Decided by a higher authority (forwarded)"))
    required_documents = CheckboxListField(_l("Required documents"))
    quota_per_unit = IntegerField(_l("Quota per unit and campaign (empty: none)"), validators=[Optional()])
    vote_quorum = DecimalField(_l("Vote quorum (fraction of the council)"), places=4, validators=[InputRequired()])
    vote_threshold = DecimalField(_l("Approval threshold (fraction of the council)"), places=4,
                                  validators=[InputRequired()])
    legal_basis = TextAreaField(_l("Legal basis"), validators=[Optional()], render_kw={"rows": 3})
    active = BooleanField(_l("In use"))
    submit = SubmitField(_l("Save"))


class UserForm(FlaskForm):
    username = StringField(_l("Username"), validators=[Optional(), Length(max=64)])
    full_name = StringField(_l("Full name"), validators=[Optional(), Length(max=255)])
    email = StringField(_l("E-mail"), validators=[DataRequired(), Length(max=255)])
    role = SelectField(_l("Role"))
    unit = SelectField(_l("Unit"))
    password = PasswordField(_l("Password (at least 8 characters)"), validators=[Optional()],
                             render_kw={"autocomplete": "new-password"})
    active = BooleanField(_l("Active"), default=True)
    submit = SubmitField(_l("Save"))


class UnitForm(FlaskForm):
    code = StringField(_l("Code"), validators=[Optional(), Length(max=64)])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=255)])
    kind = SelectField(_l("Kind"))
    parent = SelectField(_l("Parent unit"), validators=[Optional()])
    sort_order = IntegerField(_l("Order"), validators=[Optional()])
    active = BooleanField(_l("Active"), default=True)
    submit = SubmitField(_l("Save"))
