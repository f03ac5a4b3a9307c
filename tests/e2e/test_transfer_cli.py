"""``crmbot import contacts`` and ``crmbot export`` from the command line, on a real database."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

CRMBOT = Path(sys.executable).with_name("crmbot")
MESSY = Path(__file__).parents[1] / "transfer" / "messy_contacts.csv"


def crmbot(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(CRMBOT), *args], capture_output=True, text=True, timeout=120, check=False, cwd=cwd
    )


def test_dry_run_then_import_then_export_and_import_back(tmp_path: Path) -> None:
    db = ("--db", f"sqlite:///{tmp_path / 'crm.db'}")
    seeded = crmbot("demo", *db, "--team", "Acme", cwd=tmp_path)
    assert seeded.returncode == 0, seeded.stderr
    command = ("import", "contacts", str(MESSY), "--team", "acme", *db)

    dry = crmbot(*command, "--dry-run", cwd=tmp_path)
    real = crmbot(*command, cwd=tmp_path)
    rerun = crmbot(*command, "--dry-run", cwd=tmp_path)

    assert dry.returncode == 1, dry.stderr  # some rows were rejected
    out = dry.stdout
    assert "11 rows, encoding utf-8-sig, delimiter semicolon." in out
    assert "Ignored columns: Lead source\n" in out
    assert "E-mail → email, Telefon → phone" in out
    assert "Not imported" not in out  # the file has no notes column
    assert "Team: Acme (id 1)\n" in out
    assert (
        "line 2: new company Northwind; new contact Sam Reed (with e-mail, phone); "
        "new deal Northwind renewal "
        "(offer, 12,000.50 EUR; 'Ana' is not in the team: owned by Elena Marin)\n"
    ) in out
    assert (
        "line 5: new company Ştefan & Fiii SRL; new contact Popescu, Ion (with e-mail); new deal"
    ) in out
    assert (
        "line 8: merged company Northwind (as on line 2); merged contact Sam Reed (as on line "
        "2); merged deal Northwind renewal (as on line 2)\n"
    ) in out
    assert "line 11: rejected: unknown stage 'hot'" in out
    assert "line 14: rejected: cannot read 'lots' as an amount" in out
    assert "  Contacts: 4 new, 2 merged\n  Companies: 5 new, 2 merged\n" in out
    assert "  4 rows rejected of 11 rows read\n" in out
    assert out.endswith("Dry run: nothing was saved. Run again without --dry-run to import.\n")
    # The same report; "new" again, so the dry run wrote nothing.
    assert real.returncode == 1, real.stderr
    assert real.stdout.replace("Saved, all in one transaction.", "") == out.replace(
        "Dry run: nothing was saved. Run again without --dry-run to import.", ""
    )
    assert "  Contacts: 0 new, 6 merged\n  Companies: 0 new, 7 merged\n" in rerun.stdout

    exported = crmbot("export", "--team", "Acme", str(tmp_path / "out"), *db, cwd=tmp_path)
    assert exported.returncode == 0, exported.stderr
    assert "  contacts.csv: 27 rows\n" in exported.stdout
    exported_contacts = (tmp_path / "out" / "contacts.csv").read_text(encoding="utf-8-sig")
    # The phone's "+" is written after an apostrophe (no formula), and read back without it.
    assert "Sam Reed,Northwind,Northwind renewal," in exported_contacts
    assert ",sam@northwind.example,'+40 721 000 111," in exported_contacts
    back = crmbot(
        "import", "contacts", str(tmp_path / "out" / "contacts.csv"), "--team", "Acme",
        "--dry-run", *db, cwd=tmp_path,
    )  # fmt: skip
    assert back.returncode == 0, back.stdout + back.stderr
    assert "Ignored columns: contact_id, company_id, created_at\n" in back.stdout
    assert "  Contacts: 0 new, 26 merged\n" in back.stdout  # everything is already there
    assert "  0 rows rejected of 27 rows read\n" in back.stdout


def test_map_names_the_columns_the_headings_do_not(tmp_path: Path) -> None:
    db = ("--db", f"sqlite:///{tmp_path / 'crm.db'}")
    assert crmbot("demo", *db, "--team", "Acme", cwd=tmp_path).returncode == 0
    odd = tmp_path / "odd.csv"
    odd.write_text("Who,Where\nSam Reed,Northwind Traders\nIvy Lu,Initech\n", encoding="utf-8")

    unmapped = crmbot("import", "contacts", str(odd), "--team", "Acme", *db, cwd=tmp_path)
    mapped = crmbot(
        "import", "contacts", str(odd), "--team", "Acme", "--map", "Who=name",
        "--map", "where=company", "--dry-run", *db, cwd=tmp_path,
    )  # fmt: skip

    assert unmapped.returncode == 2
    assert "no column holds a name or a company (columns: Who, Where)" in unmapped.stderr
    assert mapped.returncode == 0, mapped.stderr
    assert "Columns: Who → name, Where → company\n" in mapped.stdout
    assert (
        "line 2: merged company Northwind Traders (already in the team); "
        "merged contact Sam Reed (already in the team)\n"
    ) in mapped.stdout
    assert "line 3: new company Initech; new contact Ivy Lu\n" in mapped.stdout


def test_errors_say_what_to_fix_and_write_nothing(tmp_path: Path) -> None:
    db = ("--db", f"sqlite:///{tmp_path / 'crm.db'}")

    no_team = crmbot("import", "contacts", str(MESSY), "--team", "Globex", *db, cwd=tmp_path)
    missing = crmbot("import", "contacts", "nope.csv", "--team", "Acme", *db, cwd=tmp_path)
    no_export = crmbot("export", "--team", "Acme", str(tmp_path / "out"), *db, cwd=tmp_path)

    assert no_team.returncode == 2
    assert "no team is called 'Globex'. Teams: none yet" in no_team.stderr
    assert no_export.returncode == 2
    assert not (tmp_path / "out").exists()
    assert missing.returncode == 2
    assert "cannot read nope.csv: No such file or directory" in missing.stderr
