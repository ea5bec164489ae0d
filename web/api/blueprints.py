"""The API's blueprint class: flask-smorest's, reading JSON through the app's bounded provider, with one-body
multipart uploads."""
from flask import current_app
from flask_smorest import Blueprint
from webargs import core
from webargs.flaskparser import FlaskParser, is_json_request
from werkzeug.datastructures import CombinedMultiDict


class ApiParser(FlaskParser):
    """Adds the location `multipart`: the form fields and the files of one multipart/form-data body together."""

    __location_map__ = dict(multipart="load_multipart", **FlaskParser.__location_map__)

    def _raw_load_json(self, req):
        # webargs parses with the json module itself; the app's provider also refuses bodies nested too deep.
        if not is_json_request(req):
            return core.missing
        return current_app.json.loads(req.get_data(cache=True).decode("utf-8"))

    def load_multipart(self, req, schema):
        return self._makeproxy(CombinedMultiDict([req.form, req.files]), schema)


BINARY = {"type": "string", "format": "binary"}


class ApiBlueprint(Blueprint):
    ARGUMENTS_PARSER = ApiParser()
    # flask-smorest documents only one request body per operation, so an upload's `kind` field and its
    # file are read, and described, as one multipart body.
    DEFAULT_LOCATION_CONTENT_TYPE_MAPPING = {**Blueprint.DEFAULT_LOCATION_CONTENT_TYPE_MAPPING,
                                             "multipart": "multipart/form-data"}

    def file_response(self, content_types, description: str = "The file, as an attachment"):
        """Declare a 200 answer for each media type the view's files may have (beside any JSON answer declared
        with `response`), so that the document names what the client receives."""
        def decorator(view):
            for content_type in content_types:
                view = self.alt_response(200, schema=BINARY, content_type=content_type, description=description,
                                         success=True)(view)
            return view
        return decorator
