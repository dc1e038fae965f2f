"""Regenerate ``kb/taxonomy/provinces.json`` from PyThaiNLP's shipped province list.

Why a script: the canonical spellings, abbreviations and English names of the 77
provinces come from ``pythainlp.corpus.provinces(details=True)``; writing them by
hand invites typos that would silently break facet filters.  Hand-curated fields
(region, aliases, trap flag, exclusion phrases) live only in the JSON file: this
script keeps them when it is re-run, so curating stays a data edit.

Usage::

    python scripts/build_taxonomy.py          # rewrite kb/taxonomy/provinces.json
    python scripts/build_taxonomy.py --check  # exit 1 if the file is out of date
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

from pythainlp.corpus import provinces as pythainlp_provinces

TARGET = Path(__file__).resolve().parent.parent / "kb" / "taxonomy" / "provinces.json"

# The six geographic regions (the National Geographical Committee's scheme), used
# only when a province is new to the file; afterwards the JSON is authoritative.
REGION_MEMBERS = {
    "north": "เชียงราย เชียงใหม่ น่าน พะเยา แพร่ แม่ฮ่องสอน ลำปาง ลำพูน อุตรดิตถ์",
    "northeast": "กาฬสินธุ์ ขอนแก่น ชัยภูมิ นครพนม นครราชสีมา บึงกาฬ บุรีรัมย์ มหาสารคาม มุกดาหาร "
    "ยโสธร ร้อยเอ็ด เลย สกลนคร สุรินทร์ ศรีสะเกษ หนองคาย หนองบัวลำภู อุดรธานี อุบลราชธานี อำนาจเจริญ",
    "central": "กรุงเทพมหานคร กำแพงเพชร ชัยนาท นครนายก นครปฐม นครสวรรค์ นนทบุรี ปทุมธานี "
    "พระนครศรีอยุธยา พิจิตร พิษณุโลก เพชรบูรณ์ ลพบุรี สมุทรปราการ สมุทรสงคราม สมุทรสาคร "
    "สิงห์บุรี สุโขทัย สุพรรณบุรี สระบุรี อ่างทอง อุทัยธานี",
    "east": "จันทบุรี ฉะเชิงเทรา ชลบุรี ตราด ปราจีนบุรี ระยอง สระแก้ว",
    "west": "กาญจนบุรี ตาก ประจวบคีรีขันธ์ เพชรบุรี ราชบุรี",
    "south": "กระบี่ ชุมพร ตรัง นครศรีธรรมราช นราธิวาส ปัตตานี พังงา พัทลุง ภูเก็ต ระนอง สตูล "
    "สงขลา สุราษฎร์ธานี ยะลา",
}


def build(existing: dict) -> dict:
    """Merge PyThaiNLP's facts into the curated file, keeping curated fields."""
    region_of = {name: key for key, names in REGION_MEMBERS.items() for name in names.split()}
    curated = {p["name"]: p for p in existing.get("provinces", [])}
    rows = []
    for p in pythainlp_provinces(details=True):
        name = p["name_th"]
        old = curated.get(name, {})
        rows.append(
            {
                "name": name,
                "abbr_th": p["abbr_th"],
                "name_en": p["name_en"],
                "region": old.get("region", region_of[name]),
                "aliases": old.get("aliases", [p["name_en"]]),
                "trap": old.get("trap", False),
                "exclude": old.get("exclude", []),
            }
        )
    out = {k: v for k, v in existing.items() if k != "provinces"}
    out["provinces"] = rows
    return out


def dump(taxonomy: dict) -> str:
    """One province per line: diffs of a curated alias stay one line long."""
    parts = []
    for key, value in taxonomy.items():
        if key == "provinces":
            rows = ",\n".join("  " + json.dumps(row, ensure_ascii=False) for row in value)
            parts.append(f' "provinces": [\n{rows}\n ]')
        else:
            parts.append(f" {json.dumps(key)}: " + json.dumps(value, ensure_ascii=False))
    return "{\n" + ",\n".join(parts) + "\n}\n"


def main(argv: list[str]) -> int:
    existing = json.loads(TARGET.read_text(encoding="utf-8")) if TARGET.exists() else {}
    fresh = build(existing)
    text = dump(fresh)
    if "--check" in argv:
        current = TARGET.read_text(encoding="utf-8") if TARGET.exists() else ""
        return 0 if current == text else 1
    TARGET.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
