"""sz-digest's user-facing side: the command line and the Textual reader.

Kept import-free so `sz-digest list` does not pay for Textual.
"""
