from flask import current_app

from tasks.dispatch import commit
from web.api.blueprints import ApiBlueprint
from web.api.schemas import TokenIn, TokenOut
from web.api.auth import Unauthorized
from workflow.accounts import authenticate, issue_token
from workflow.i18n import N_, Msg

blp = ApiBlueprint("tokens", __name__, url_prefix="/api/v1", description="Sign in")


@blp.route("/tokens", methods=["POST"])
@blp.arguments(TokenIn)
@blp.response(201, TokenOut)
def create_token(credentials):
    """Sign in with a username and password; the token goes in `Authorization: Bearer ...`."""
    user = authenticate(credentials["username"], credentials["password"])
    if user is None:
        raise Unauthorized(Msg(N_("Wrong username or password.")))
    token, expires_at = issue_token(user, current_app.config["API_TOKEN_HOURS"])
    commit()
    return {"token": token, "expires_at": expires_at}
