"""
imaginary.language: styled text and per-observer English.

Output is a structure (Span) rendered per observer by the grammar and per
front end by the renderers; see styled.py and grammar.py.
"""

from .grammar import (
    FEMALE, MALE, NEUTER, PLURAL, ItemList, Sentence, conjugate,
    indefiniteArticle, joinList, nounPhrase, numberWord, pluralize,
    sentence)
from .styled import (
    PLAIN, Span, Style, columns, error, exitName, plainText, renderANSI,
    renderHTML, renderIRC, renderPlain, sanitize, styled, title, wrap,
    wrapANSI)

__all__ = [
    "FEMALE", "ItemList", "MALE", "NEUTER", "PLAIN", "PLURAL", "Sentence",
    "Span", "Style", "columns", "conjugate", "error", "exitName",
    "indefiniteArticle", "joinList", "nounPhrase", "numberWord",
    "plainText", "pluralize", "renderANSI", "renderHTML", "renderIRC",
    "renderPlain", "sanitize", "sentence", "styled", "title", "wrap",
    "wrapANSI",
]
