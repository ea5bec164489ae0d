"""Labels of what the procedure files do not declare: the roles, and the history rows that are not transitions.

The states, events and steps are the procedure files' (workflow/procedures/, read by workflow.procedure); a
dossier moves on the procedure version it was created under (`workflow.procedure.catalogue()`).
"""
from workflow.i18n import N_

ROLE_LABELS = {
    "submitter": N_("Submitter"),
    "office": N_("Office"),
    "appraiser": N_("Appraiser"),
    "council": N_("Council member"),
    "chair": N_("Chair"),
    "admin": N_("Administrator"),
}

# History rows that are not transitions: changes to a dossier's content.
CONTENT_EVENT_LABELS = {
    "edit": N_("Edited"),
    "add_document": N_("Document added"),
    "remove_document": N_("Document removed"),
    "replace_document": N_("Document replaced"),
    "add_packet_document": N_("Document added to the unit packet"),
    "remove_packet_document": N_("Document removed from the unit packet"),
    "override_warning": N_("Eligibility warning overridden"),
}
