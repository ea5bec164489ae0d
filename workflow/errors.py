"""Refusals raised by operations, each with the machine code API.md names."""
from __future__ import annotations

from dataclasses import dataclass

from workflow.i18n import N_, Msg


@dataclass(frozen=True)
class RuleFailure:
    rule: str
    message: Msg
    # What the failure's detail says besides its rule and message (an eligibility rule's legal text and evidence).
    extra: dict | None = None


class WorkflowError(Exception):
    code = "bad_request"
    default = N_("The request cannot be carried out.")

    def __init__(self, message: Msg | None = None, details: list | None = None):
        self.message = message or Msg(self.default)
        self.details = details or []
        super().__init__(self.message.render())


class NotFound(WorkflowError):
    code = "not_found"
    default = N_("Not found.")


class Forbidden(WorkflowError):
    code = "forbidden"
    default = N_("You are not allowed to do this.")


class StaleVersion(WorkflowError):
    code = "stale_version"
    default = N_("The dossier has changed since you loaded it; reload it and try again.")


class InvalidTransition(WorkflowError):
    code = "invalid_transition"
    default = N_("This action is not possible in the dossier's current state.")


class GuardFailed(WorkflowError):
    code = "guard_failed"
    default = N_("The rules do not allow this action.")

    def __init__(self, failures: list[RuleFailure]):
        self.failures = failures
        super().__init__(Msg(self.default), failures)


class ValidationFailed(WorkflowError):
    """Bad input; details are (field, message) pairs."""

    code = "validation_error"
    default = N_("The data sent is not valid.")


class UnsupportedMedia(WorkflowError):
    code = "unsupported_media_type"
    default = N_("This type of file is not accepted.")


class PayloadTooLarge(WorkflowError):
    code = "payload_too_large"
    default = N_("The file is too large.")


class AlreadyVoted(WorkflowError):
    code = "already_voted"
    default = N_("You have already voted on this dossier; a vote cannot be changed.")


class VotingClosed(WorkflowError):
    code = "voting_closed"
    default = N_("Voting is open only while the dossier is in council review.")


class BatchRefused(WorkflowError):
    """A batch done all or nothing, refused: `details` say why for each item refused (dossier, rule, message)."""

    code = "batch_refused"
    default = N_("Nothing was done: some of the dossiers cannot take this step.")


class DisclosureClosed(WorkflowError):
    code = "disclosure_closed"
    default = N_("This dossier is no longer open for public comments.")
