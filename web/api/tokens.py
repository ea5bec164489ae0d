from flask import current_app

from workflow.unit_of_work import commit
from web.api.blueprints import ApiBlueprint
from web.api.auth import BEARER_SECURITY, Unauthorized, current_token, current_user, token_required
from web.api.schemas import TokenInfo, TokenIn, TokenOut
from workflow import accounts
from workflow.i18n import N_, VIETNAM, Msg

blp = ApiBlueprint("tokens", __name__, url_prefix="/api/v1", description="Sign in")


@blp.route("/tokens", methods=["POST"])
@blp.arguments(TokenIn)
@blp.response(201, TokenOut)
def create_token(credentials):
    """Sign in with a username and password; the token goes in `Authorization: Bearer ...`."""
    user = accounts.authenticate(credentials["username"], credentials["password"])
    if user is None:
        raise Unauthorized(Msg(N_("Wrong username or password.")))
    token, expires_at = accounts.issue_token(user, current_app.config["API_TOKEN_HOURS"])
    commit()
    return {"token": token, "expires_at": expires_at}


@blp.route("/tokens", methods=["GET"])
@token_required
@blp.doc(security=BEARER_SECURITY)
@blp.response(200, TokenInfo(many=True))
def list_tokens():
    """The caller's own unexpired tokens, newest first."""
    return [{"id": row.id, "kind": row.kind, "created_at": row.created_at.astimezone(VIETNAM),
             "expires_at": row.expires_at.astimezone(VIETNAM), "current": row.id == current_token().id}
            for row in accounts.tokens_of(current_user())]


@blp.route("/tokens/<int:token_id>", methods=["DELETE"])
@token_required
@blp.doc(security=BEARER_SECURITY)
@blp.response(204)
def revoke_token(token_id):
    """Revoke one of the caller's own tokens (the one in use too: that signs the caller out)."""
    accounts.revoke_token(current_user(), token_id)
    commit()
