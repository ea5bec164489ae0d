"""The domain: data model, the reference workflow and its rules. Imports neither web nor tasks."""
