"""The vocabularies every part of kb shares: complete, consistent, labelled."""
from __future__ import annotations

from collections import Counter

import pytest
from pythainlp.corpus import provinces as pythainlp_provinces

from kb import taxonomy

REGIONS = ["north", "northeast", "central", "east", "west", "south"]
TOPICS = [
    "border", "drugs", "trafficking", "migration", "cyber", "disaster", "maritime",
    "southern-unrest", "terrorism", "public-health", "institutions", "international",
]


def test_all_77_provinces_with_canonical_pythainlp_names():
    names = [p["name"] for p in taxonomy.provinces()]
    assert len(names) == len(set(names)) == 77
    assert set(names) == {p["name_th"] for p in pythainlp_provinces(details=True)}


def test_every_province_is_in_one_of_the_six_regions_with_the_guides_counts():
    counts = Counter(p["region"] for p in taxonomy.provinces())
    assert counts == {"north": 9, "northeast": 20, "central": 22, "east": 7, "west": 5, "south": 14}


def test_region_of_known_provinces():
    assert taxonomy.region_of("อุดรธานี") == "northeast"
    assert taxonomy.region_of("ตาก") == "west"
    assert taxonomy.region_of("กรุงเทพมหานคร") == "central"
    with pytest.raises(KeyError):
        taxonomy.region_of("ไม่มีจังหวัดนี้")


def test_trap_provinces_are_flagged():
    traps = {p["name"] for p in taxonomy.provinces() if p["trap"]}
    assert {"เลย", "แพร่", "ตาก", "น่าน", "ตรัง"} <= traps


def test_aliases_are_unique_to_one_province():
    owners: dict[str, str] = {}
    for p in taxonomy.provinces():
        for alias in [p["name"], *p["aliases"]]:
            assert owners.setdefault(alias, p["name"]) == p["name"], alias


def test_17_plans_numbered_in_order_with_titles_and_lead_agencies():
    plans = taxonomy.plans()
    assert [p["no"] for p in plans] == list(range(1, 18))
    assert all(p["title"] and p["short"] and p["lead_agency"] and p["group"] for p in plans)
    assert {p["group"] for p in plans[:13]} == {"ประเด็นความมั่นคง"}
    assert {p["group"] for p in plans[13:]} == {"ประเด็นศักยภาพความมั่นคง"}


def test_plan_lead_agencies_are_known_agencies():
    known = {a["abbr"] for a in taxonomy.agencies()} | {
        alias for a in taxonomy.agencies() for alias in a["aliases"]
    }
    for plan in taxonomy.plans():
        for part in plan["lead_agency"].replace("(", " ").replace(")", " ").split():
            assert part in known, (plan["no"], part)


def test_six_regions_and_twelve_topics_with_thai_labels():
    assert [r["key"] for r in taxonomy.regions()] == REGIONS
    assert [t["key"] for t in taxonomy.topics()] == TOPICS
    assert all(t["label"] and t["strong"] for t in taxonomy.topics())


def test_labels_for_every_facet():
    assert taxonomy.label("plan", "3").startswith("แผนฯ ที่ 3")
    assert taxonomy.label("region", "north") == "ภาคเหนือ"
    assert taxonomy.label("region", "northeast") == "ภาคตะวันออกเฉียงเหนือ"
    assert taxonomy.label("topic", "drugs") == "ยาเสพติด"
    assert taxonomy.label("type", "news") == "ข่าวประชาสัมพันธ์"
    assert taxonomy.label("type", "meeting") == "บันทึกการประชุม"
    assert taxonomy.label("type", "plan") == "แผนความมั่นคง"
    assert taxonomy.label("type", "other") == "อื่น ๆ"
    assert taxonomy.label("year", "2024") == "2567"
    assert taxonomy.label("province", "เชียงใหม่") == "เชียงใหม่"


def test_unknown_values_are_labelled_as_themselves():
    assert taxonomy.label("topic", "gardening") == "gardening"
    assert taxonomy.label("plan", "99") == "99"
    assert taxonomy.label("nonsense", "x") == "x"


def test_values_list_every_known_value():
    assert taxonomy.values("plan") == [str(n) for n in range(1, 18)]
    assert len(taxonomy.values("province")) == 77
    assert taxonomy.values("region") == REGIONS
    assert taxonomy.values("topic") == TOPICS
    assert taxonomy.values("type") == ["news", "meeting", "plan", "other"]
    assert taxonomy.values("year") == []
    for facet in ("plan", "province", "region", "topic", "type"):
        assert all(taxonomy.label(facet, v) for v in taxonomy.values(facet))


def test_synonym_groups_join_aliases_and_agency_names():
    groups = taxonomy.synonyms()
    assert any({"กรุงเทพมหานคร", "กทม.", "กรุงเทพฯ"} <= set(g) for g in groups)
    assert any({"สมช.", "สำนักงานสภาความมั่นคงแห่งชาติ", "สภาความมั่นคงแห่งชาติ"} <= set(g) for g in groups)
    assert all(len(g) > 1 for g in groups)


def test_dictionary_terms_are_thai_words_without_trailing_periods():
    terms = taxonomy.dictionary_terms()
    assert {"กรุงเทพมหานคร", "กทม", "โคราช", "สมช", "กอ.รมน", "แผนความมั่นคง", "ยุทธศาสตร์", "ยาเสพติด"} <= set(terms)
    assert not any(t.endswith(".") or " " in t for t in terms)
    assert len(terms) == len(set(terms))


def test_taxonomies_are_loaded_once():
    assert taxonomy.provinces() is taxonomy.provinces()
