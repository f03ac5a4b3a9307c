"""Folding names for matching: "Northwind", "NORTHWIND " and "Nórthwind" are one company."""

from __future__ import annotations

import unicodedata


def name_key(name: str) -> str:
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    without_marks = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(without_marks.split())
