"""English is a full second language: every user-visible message has an English translation,
and the switch really changes the pages."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
CATALOG = ROOT / "translations" / "en" / "LC_MESSAGES" / "messages.po"
METHODS = [("app.py", "python"), ("teachers/**.py", "python"), ("templates/**.html", "jinja2")]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "_l": None,
            "pgettext": ((1, "c"), 2), "lazy_pgettext": ((1, "c"), 2)}


def source_messages() -> dict[tuple[str, str | None], str]:
    """{(msgid, context): first file} for every message the sources mark for translation."""
    found: dict[tuple[str, str | None], str] = {}
    for filename, _lineno, message, _comments, context in extract_from_dir(
        str(ROOT), method_map=METHODS, keywords=KEYWORDS, options_map={"templates/**.html": {}},
    ):
        msgid = message[0] if isinstance(message, (tuple, list)) else message
        found.setdefault((msgid, context), filename)
    return found


def test_every_message_has_an_english_translation():
    with CATALOG.open("rb") as f:
        catalog = read_po(f)
    missing = []
    for (msgid, context), where in sorted(source_messages().items(), key=lambda item: (item[0][0], item[0][1] or "")):
        entry = catalog.get(msgid, context=context)
        forms = entry.string if entry is not None else None
        forms = forms if isinstance(forms, (tuple, list)) else [forms]
        if entry is None or not all(forms) or entry.fuzzy:
            missing.append(f"{where}: {msgid}")
    assert missing == [], f"{len(missing)} messages lack English (run `make extract-messages`):\n" + "\n".join(missing[:40])


def test_english_switch_translates_the_login_page(client):
    assert "登录" in client.get("/login").get_data(as_text=True)
    client.post("/lang/en", data={"next": "/login"})
    page = client.get("/login").get_data(as_text=True)
    assert "Sign in" in page or "Log in" in page
    assert "用户名" not in page


def test_english_counts_agree_in_number(app):
    from flask_babel import force_locale, ngettext

    with app.test_request_context(), force_locale("en"):
        assert ngettext("共 %(n)d 所学校", "共 %(n)d 所学校", 1, n=1) == "1 school"
        assert ngettext("共 %(n)d 所学校", "共 %(n)d 所学校", 3, n=3) == "3 schools"
