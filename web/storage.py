from flask import current_app

from workflow.documents import DocumentStore


def document_store() -> DocumentStore:
    config = current_app.config
    return DocumentStore(config["UPLOAD_DIR"], config["MAX_UPLOAD_MB"] * 1024 * 1024)
