"""Training of the project NER model (see train.py)."""
