"""sz-digest's UI-free core: the model, the parser, the fetcher and the local store.

Nothing in this package imports Textual or Rich (tests/test_layering.py enforces it), so scripts and the
CLI can use it without paying for a UI. Submodules are imported on demand to keep start-up cheap.
"""

__version__ = "0.1.0"
