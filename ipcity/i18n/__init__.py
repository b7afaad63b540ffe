"""Translations: Chinese is the source language, English comes from ``en.po``.

Message ids are the Chinese texts themselves, so the default locale needs no catalogue and
a missing translation falls back to Chinese. The ``.po`` file is read with Babel at first
use (no compiled ``.mo`` files to keep in step).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from babel.messages.pofile import read_po

SUPPORTED_LOCALES = ("zh_CN", "en")
DEFAULT_LOCALE = "zh_CN"
_CATALOGUE_DIR = Path(__file__).parent


@cache
def _catalogue(locale: str) -> dict[str, str]:
    path = _CATALOGUE_DIR / f"{locale}.po"
    if not path.exists():
        return {}
    with path.open("rb") as fh:
        catalog = read_po(fh, locale=locale)
    return {_key(m.context, str(m.id)): str(m.string) for m in catalog if m.id and m.string}


def _key(context: str | None, message: str) -> str:
    # gettext's own joining of a context and an id (EOT between them).
    return f"{context}\x04{message}" if context else message


def normalize_locale(locale: str | None) -> str:
    """Map ``en-US``, ``en``, ``zh``, ``zh-CN`` … to one of :data:`SUPPORTED_LOCALES`."""
    if not locale:
        return DEFAULT_LOCALE
    return "en" if locale.lower().startswith("en") else DEFAULT_LOCALE


def gettext(message: str, locale: str | None = DEFAULT_LOCALE) -> str:
    """Translate a Chinese message id into ``locale``; unknown ids come back unchanged.

    >>> gettext("示例", "zh_CN")
    '示例'
    """
    loc = normalize_locale(locale)
    if loc == DEFAULT_LOCALE:
        return message
    return _catalogue(loc).get(message, message)


def pgettext(context: str, message: str, locale: str | None = DEFAULT_LOCALE) -> str:
    """Translate ``message`` as ``context`` reads it (``msgctxt`` in ``en.po``): one Chinese
    word with two English ones, such as 权利人, "Holder" heading a column of one holder per
    row and "Holders" naming the list of them (context ``复数``). Without an entry for the
    context, as :func:`gettext`.

    >>> pgettext("复数", "权利人", "en"), gettext("权利人", "en"), pgettext("复数", "权利人", "zh_CN")
    ('Holders', 'Holder', '权利人')
    """
    loc = normalize_locale(locale)
    if loc == DEFAULT_LOCALE:
        return message
    catalogue = _catalogue(loc)
    return catalogue.get(_key(context, message)) or catalogue.get(message, message)


class Bilingual(str):
    """A message parameter that is itself words: the Chinese text (what the ``str`` is) and
    its English counterpart, so that a message rendered in English does not carry a Chinese
    field name or list (:func:`localized_params`).

    >>> label = Bilingual("商标类型", "trademark type")
    >>> label, label.en, localized_params({"label": label, "value": "鹤翔"}, "en")
    ('商标类型', 'trademark type', {'label': 'trademark type', 'value': '鹤翔'})
    """

    __slots__ = ("en",)
    en: str

    def __new__(cls, zh: str, en: str) -> Bilingual:
        made = super().__new__(cls, zh)
        made.en = en
        return made

    def __getnewargs__(self) -> tuple[str, str]:  # type: ignore[override]
        return (str(self), self.en)

    @classmethod
    def of(cls, message: str) -> Bilingual:
        """A message id of ``en.po`` (a role, a field, an action) as a parameter: the Chinese
        text and its translation.

        >>> Bilingual.of("提出异议").en
        'Raise an objection'
        """
        return cls(message, gettext(message, "en"))


def localized_params(params: dict[str, object], locale: str | None) -> dict[str, object]:
    """``params`` with each :class:`Bilingual` value in ``locale``."""
    if normalize_locale(locale) == DEFAULT_LOCALE:
        return dict(params)
    return {k: v.en if isinstance(v, Bilingual) else v for k, v in params.items()}
