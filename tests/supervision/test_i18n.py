"""The interface is written in Chinese (LANGUAGE_CODE); English comes from locale/en. These tests check that the
language switch works, that the English catalogue is complete, and that it still covers every string in the source."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.signals import setting_changed
from django.urls import reverse
from django.utils import translation

from supervision.models import PersonCategory, UnitKind

ROOT = Path(settings.BASE_DIR)
PO = ROOT / "locale" / "en" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")
# The same ignores as the documented command: .venv/bin/python manage.py makemessages -l en --ignore=...
MAKEMESSAGES_IGNORE = [".venv", "tests", "bench", "test-artifacts", "var"]
CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")
PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|\{\{\s*\w+\s*\}\}")


# --- a tiny .po reader -------------------------------------------------------------------------------------------

def _unquote(text: str) -> str:
    escapes = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}
    return re.sub(r"\\(.)", lambda m: escapes.get(m.group(1), m.group(0)), text[1:-1])


def read_po(path: Path) -> list[dict]:
    """Entries of a .po file as dicts: msgctxt, msgid, msgid_plural, msgstr (list), flags (set).
    Obsolete (#~) and previous-msgid (#|) lines are left out; the header is the entry with msgid ""."""
    entries, entry, key = [], None, None

    def close():
        if entry is not None and "msgid" in entry:
            entries.append(entry)

    for raw in path.read_text(encoding="utf-8").splitlines() + [""]:
        line = raw.strip()
        if not line:
            close()
            entry, key = None, None
            continue
        if entry is None:
            entry = {"flags": set(), "msgstr": {}}
        if line.startswith("#,"):
            entry["flags"].update(f.strip() for f in line[2:].split(",") if f.strip())
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            if key is None:
                raise ValueError(f"{path}: continuation line without a keyword: {raw!r}")
            if isinstance(key, int):
                entry["msgstr"][key] += _unquote(line)
            else:
                entry[key] += _unquote(line)
        else:
            match = re.fullmatch(r'(msgctxt|msgid|msgid_plural|msgstr)(?:\[(\d+)\])?\s+(".*")', line)
            if not match:
                raise ValueError(f"{path}: cannot read line {raw!r}")
            word, index, value = match.groups()
            if word == "msgstr":
                key = int(index or 0)
                entry["msgstr"][key] = _unquote(value)
            else:
                key = word
                entry[key] = _unquote(value)
    close()
    for e in entries:
        e["msgstr"] = [e["msgstr"][i] for i in sorted(e["msgstr"])]
    return entries


def _key(entry: dict) -> tuple:
    return entry.get("msgctxt"), entry["msgid"], entry.get("msgid_plural")


def _messages(entries: list[dict]) -> list[dict]:
    return [e for e in entries if e["msgid"] != ""]


# --- the compiled catalogue ---------------------------------------------------------------------------------------

@pytest.fixture(scope="session", autouse=True)
def compiled_catalogue():
    """The .mo is git-ignored and built by `make messages`; build it here when it is missing or older than the .po.
    msgfmt writes a private file that then replaces the .mo in one step, so a concurrent test run never reads a
    half-written catalogue (this is what compilemessages runs: msgfmt --check-format)."""
    if not MO.exists() or MO.stat().st_mtime < PO.stat().st_mtime:
        msgfmt = shutil.which("msgfmt")
        if msgfmt is None:
            pytest.fail("msgfmt (gettext) is needed to compile the translations: run `make system-deps`")
        partial = MO.with_name(f".{MO.name}.{os.getpid()}.tmp")
        try:
            subprocess.run([msgfmt, "--check-format", "-o", str(partial), str(PO)], check=True,
                           capture_output=True, text=True)
            os.replace(partial, MO)
        finally:
            partial.unlink(missing_ok=True)
        # Catalogues already loaded by this process predate the new .mo: have Django forget them, the way it does
        # when a test overrides LOCALE_PATHS.
        setting_changed.send(sender=type(settings._wrapped), setting="LOCALE_PATHS",
                             value=settings.LOCALE_PATHS, enter=True)
    yield MO


def _switch_to_english(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("login")})
    assert response.status_code == 302
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"


# --- the language switch ------------------------------------------------------------------------------------------

def test_default_language_is_chinese(db, client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    page = response.content.decode()
    assert response.wsgi_request.LANGUAGE_CODE == "zh-hans"
    assert 'lang="zh-hans"' in page
    assert "登录" in page
    assert "Log in" not in page


def test_switching_to_english_translates_the_login_page(db, client):
    _switch_to_english(client)
    response = client.get(reverse("login"))
    assert response.status_code == 200
    page = response.content.decode()
    assert response.wsgi_request.LANGUAGE_CODE == "en"
    assert 'lang="en"' in page
    assert "Log in" in page
    assert "Username" in page and "Password" in page
    assert "登录" not in page
    # The only Chinese left is the switcher's button back to Chinese, which names the language in its own script.
    assert not CJK.findall(page.replace("简体中文", ""))


def test_switching_back_to_chinese(db, client):
    _switch_to_english(client)
    client.post(reverse("set_language"), {"language": "zh-hans", "next": reverse("login")})
    page = client.get(reverse("login")).content.decode()
    assert "登录" in page and "Log in" not in page


def test_navigation_is_english_for_a_signed_in_user(db, client, users):
    client.force_login(users["admin"])
    _switch_to_english(client)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    request_language = response.wsgi_request.LANGUAGE_CODE
    assert request_language == "en"
    with translation.override(request_language):  # the labels are lazy: read them in the request's language
        labels = [str(item["label"]) for item in response.context["nav_items"]]
        roles = [str(label) for label in response.context["user_role_labels"]]
    assert labels == ["Home", "Batch planning", "Stations", "Units", "Cadre pool", "Bulk import", "Audit log"]
    assert roles == ["System administrator"]
    page = response.content.decode()
    for label in labels:
        assert f">{label}</a>" in page
    assert "Log out" in page and "Change password" in page
    assert "人员库" not in page and "审计日志" not in page


# --- the catalogue ------------------------------------------------------------------------------------------------

def test_english_catalogue_is_complete():
    entries = read_po(PO)
    header = next(e for e in entries if e["msgid"] == "")
    assert "Language: en\n" in header["msgstr"][0]
    assert "nplurals=2" in header["msgstr"][0]
    messages = _messages(entries)
    assert len(messages) > 100
    fuzzy = [e["msgid"] for e in entries if "fuzzy" in e["flags"]]
    untranslated = [e["msgid"] for e in messages if not e["msgstr"] or not all(s.strip() for s in e["msgstr"])]
    assert fuzzy == []
    assert untranslated == []
    plurals = [e for e in messages if "msgid_plural" in e]
    assert all(len(e["msgstr"]) == 2 for e in plurals), [e["msgid"] for e in plurals if len(e["msgstr"]) != 2]
    # Every placeholder of the Chinese text, and no other, in every English form.
    wrong = [
        (e["msgid"], s) for e in messages for s in e["msgstr"]
        if sorted(set(PLACEHOLDER.findall(e["msgid"] + e.get("msgid_plural", "")))) != sorted(set(PLACEHOLDER.findall(s)))
    ]
    assert wrong == []
    # English uses ASCII punctuation, not the full-width ：，；（）“” of the Chinese source.
    chinese_left = [(e["msgid"], s) for e in messages for s in e["msgstr"] if CJK.search(s) and s != "简体中文"]
    assert chinese_left == []


def test_msgfmt_accepts_the_catalogue():
    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:
        pytest.fail("msgfmt (gettext) is needed to compile the translations: run `make system-deps`")
    result = subprocess.run([msgfmt, "--check", "--statistics", "-o", os.devnull, str(PO)],
                            capture_output=True, text=True, env={**os.environ, "LC_ALL": "C"})
    assert result.returncode == 0, result.stderr
    assert "fuzzy" not in result.stderr and "untranslated" not in result.stderr, result.stderr
    assert re.match(r"\d+ translated messages?\.", result.stderr.strip()), result.stderr


def test_catalogue_covers_every_string_in_the_source(tmp_path):
    """Runs makemessages on a copy of the source with an empty locale dir, so the committed .po is left alone, and
    checks that every message it finds is in the committed catalogue. When this fails, run the makemessages
    command at the top of this file, translate the new entries and drop their fuzzy flags."""
    if shutil.which("xgettext") is None:
        pytest.fail("xgettext (gettext) is needed: run `make system-deps`")
    copy = tmp_path / "src"
    top_ignored = set(MAKEMESSAGES_IGNORE) | {"locale", "node_modules", "media", "staticfiles"}

    def ignore(directory, names):
        at_top = Path(directory) == ROOT
        return [n for n in names if n.startswith(".") or n == "__pycache__" or (at_top and n in top_ignored)]

    shutil.copytree(ROOT, copy, ignore=ignore)
    (copy / "locale").mkdir()
    # Without settings makemessages writes to ./locale of the copy (with them it would use the real LOCALE_PATHS).
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    command = [sys.executable, "-m", "django", "makemessages", "-l", "en", "-v0"]
    command += [f"--ignore={pattern}" for pattern in MAKEMESSAGES_IGNORE]
    result = subprocess.run(command, cwd=copy, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    fresh_po = copy / "locale" / "en" / "LC_MESSAGES" / "django.po"
    assert fresh_po.exists(), result.stderr
    in_source = {_key(e) for e in _messages(read_po(fresh_po))}
    in_catalogue = {_key(e) for e in _messages(read_po(PO))}
    assert len(in_source) > 100
    missing = sorted(in_source - in_catalogue, key=str)
    assert missing == [], f"{len(missing)} source string(s) missing from {PO.relative_to(ROOT)}: {missing}"


def test_english_choice_labels_fit_excel_drop_downs():
    """The import templates offer unit types and person categories as an Excel list validation: the labels are
    joined with commas inside one quoted formula of at most 255 characters."""
    with translation.override("en"):
        for choices in (UnitKind.choices, PersonCategory.choices):
            labels = [str(label) for _value, label in choices]
            assert not CJK.search("".join(labels)), labels
            assert all("," not in label and '"' not in label for label in labels), labels
            assert len(",".join(labels)) <= 255
            assert len(set(labels)) == len(labels)
