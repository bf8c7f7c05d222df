"""The facts register (`briefing facts`), stale facts and attribution (issue 13)."""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from conftest import ROOT, run_cli

from briefing.document import text_of
from briefing.pipeline import compose, load_project
from briefing.project import Project


def second_brief(project: Path, brief_id: str, value: float) -> None:
    """Another brief with a fact that describes the same thing as good.yaml's az_share."""
    text = (project / "briefs" / "good.yaml").read_text(encoding="utf-8")
    text = text.replace("id: good", f"id: {brief_id}").replace("value: 0.69", f"value: {value}")
    (project / "briefs" / f"{brief_id}.yaml").write_text(text, encoding="utf-8")


def test_register_lists_every_fact_with_values_sources_and_uses(tiny_project):
    code, out, err = run_cli("facts", "--format", "json", "--project", str(tiny_project))
    assert code == 0, err
    rows = json.loads(out)
    assert [r["key"] for r in rows] == ["az_share"]
    row = rows[0]
    assert row["values"] == {"en": "69%"} and row["source"] == "sipri-2021" and row["as_of"] == "2016–2020"
    assert row["defined_in"].startswith("briefs/good.yaml:8")
    assert row["used_in"] == ["good: summary.1"]


def test_register_prints_values_per_language(tmp_path):
    code, out, err = run_cli("facts", "--format", "csv", "--project", str(ROOT))
    assert code == 0, err
    rows = {r["key"]: r for r in csv.DictReader(io.StringIO(out))}
    cost = rows["pegasus_cost"]
    assert cost["value_en"] == "$65,000" and "ԱՄՆ" in cost["value_hy"] and cost["source"] == "blankspot-2023"
    shared = rows["az_arms_share_2016_2020"]
    assert "arms-export-oversight: summary.1" in shared["used_in"] and "genocide-recognition" in shared["used_in"]
    assert shared["historical"] == "yes"


def test_register_warns_when_two_briefs_disagree_on_the_same_thing(tiny_project):
    second_brief(tiny_project, "other", 0.71)            # same source, same label, another value
    code, out, err = run_cli("facts", "--project", str(tiny_project))
    assert code == 0
    assert "warning: facts 'az_share' and 'az_share' give different values for the same thing" in err
    assert "briefs/other.yaml:8:3" in err and "69%" in err and "71%" in err
    assert run_cli("facts", "--strict", "--project", str(tiny_project))[0] == 1


def test_register_is_quiet_when_briefs_agree_and_uses_shared_keys(tiny_project):
    second_brief(tiny_project, "same", 0.69)
    code, out, err = run_cli("facts", "--strict", "--project", str(tiny_project))
    assert code == 0 and "warning" not in err
    # a different label, but an explicit shared key says it is the same thing
    good = tiny_project / "briefs" / "good.yaml"
    good.write_text(good.read_text().replace("    as_of: [2016, 2020]\n", "    as_of: [2016, 2020]\n"
                                             "    shared_key: az-imports\n"), encoding="utf-8")
    second_brief(tiny_project, "keyed", 0.5)  # good.yaml's text, now with the shared key
    keyed = tiny_project / "briefs" / "keyed.yaml"
    keyed.write_text(keyed.read_text().replace("label: Share of imports", "label: Another wording"), encoding="utf-8")
    code, out, err = run_cli("facts", "--project", str(tiny_project))
    assert "the same shared_key 'az-imports'" in err, err


def test_stale_fact_is_a_warning_naming_it_and_an_error_with_strict(tiny_project):
    (tiny_project / "briefing.toml").write_text("[check]\nstale_after_years = 2\n", encoding="utf-8")
    code, out, err = run_cli("check", "--project", str(tiny_project))
    assert code == 0
    assert "briefs/good.yaml:13:12: warning: fact 'az_share' is stale: as_of 2016–2020 is 3 years before " \
           "the brief's date (2024-03-01), more than 2" in err
    assert run_cli("check", "--strict", "--project", str(tiny_project))[0] == 1
    # the default (5 years) accepts it; `historical: true` silences it whatever the age
    (tiny_project / "briefing.toml").write_text("", encoding="utf-8")
    assert "stale" not in run_cli("check", "--project", str(tiny_project))[2]
    (tiny_project / "briefing.toml").write_text("[check]\nstale_after_years = 1\n", encoding="utf-8")
    good = tiny_project / "briefs" / "good.yaml"
    good.write_text(good.read_text().replace("    as_of: [2016, 2020]\n", "    as_of: [2016, 2020]\n"
                                             "    historical: true\n"), encoding="utf-8")
    assert "stale" not in run_cli("check", "--project", str(tiny_project))[2]


def test_opinion_without_according_to_is_reported(tiny_project):
    good = tiny_project / "briefs" / "good.yaml"
    good.write_text(good.read_text().replace(
        "          - Evidence with a source [@hrw-2020].\n",
        "          - text: Evidence with a source [@hrw-2020].\n            opinion: true\n"), encoding="utf-8")
    code, out, err = run_cli("check", "--project", str(tiny_project))
    assert code == 0
    assert "briefs/good.yaml:23:13: warning: an opinion without 'according_to'" in err
    assert run_cli("check", "--strict", "--project", str(tiny_project))[0] == 1
    good.write_text(good.read_text().replace("            opinion: true\n",
                                             "            opinion: true\n            according_to: A critic\n"))
    code, out, err = run_cli("check", "--strict", "--project", str(tiny_project))
    assert code == 0, err


def test_attribution_and_as_of_are_printed_in_each_language():
    loaded = load_project(Project.open(ROOT))
    en = compose(loaded, "deca-role", "en").document
    summary = [text_of(s) for s in en.summary]
    assert summary[1].startswith("According to Avidan Freedman, who leads the advocacy group Yanshoof: DECA’s only concern")
    he = [text_of(s) for s in compose(loaded, "deca-role", "he").document.summary]
    assert he[1].startswith("לדברי ") and "ינשוף:" in he[1]
    hy = [text_of(s) for s in compose(loaded, "deca-role", "hy").document.summary]
    assert hy[1].startswith("Ըստ ") and "՝ DECA" in hy[1]
    # an as-of date goes before the sentence's full stop, the note mark after it
    genocide = compose(loaded, "genocide-recognition", "en").document
    point = genocide.summary[1]
    assert text_of(point).rstrip("0123456789").endswith("week (as of June\u00a030,\u00a02026).")
    hy_point = text_of(compose(loaded, "genocide-recognition", "hy").document.summary[1])
    # the template word joins the day and its ending with a non-breaking hyphen (U+2011)
    assert "(2026\u00a0թ.\u00a0հունիսի\u00a030\u2011ի դրությամբ)։" in hy_point


def test_armenian_as_of_puts_a_full_date_in_the_genitive_and_a_year_not():
    """'2023 թ. մարտի 6‑ի դրությամբ' but '2023 թ. դրությամբ': a full date has its own
    template word ("as of {day}"), in the facts box as in a statement."""
    loaded = load_project(Project.open(ROOT))
    for lang, day, year in [("hy", "(2023\u00a0թ.\u00a0մարտի\u00a06\u2011ի դրությամբ)", "(2023\u00a0թ. դրությամբ)"),
                            ("en", "(as of March\u00a06,\u00a02023)", "(as of 2023)")]:
        rows = {r.name: text_of(r.qualifier) for r in compose(loaded, "arms-export-oversight", lang).document.facts}
        assert rows["ovda_flights_2016_2023"] == day, rows      # as_of: 2023-03-06
        rows = {r.name: text_of(r.qualifier) for r in compose(loaded, "deca-role", lang).document.facts}
        assert rows["naghdalyan_targeted"] == year, rows          # as_of: 2023
