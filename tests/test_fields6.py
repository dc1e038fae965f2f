"""Kinds of province and agency error found on the sixth training set (issue 13, branch fields6).

Each kind recurs in train6 and in another labelled set, or the labelling guide (docs/labelling.md) states it.
Provinces: a name that ends a word of the segmenter's dictionary naming an institution for it
(มหาวิทยาลัยเชียงใหม่, ศาลาว่าการกรุงเทพมหานคร: an office named for the province counts); a name inside a
prince's royal title (กรมหลวงชุมพรเขตอุดมศักดิ์); a subdistrict that bears a province's name (ตำบลอ่างทอง
in Samui); an expressway named for the places it joins (a road, the guide); a surname after คุณ and a given
name (a person's surname, the guide).  Agencies: a short alias glued into other words (ดีอี in ดีอีก); an
agency's abbreviation inside another body's (อพ.สธ.); an alias inside a law's or a procedure's name
(พระราชบัญญัติศุลกากร, พิธีการศุลกากร); other forms of an agency's name (its council, its former name);
a minister's title with the ministry's short name (รมว.กลาโหม → กห., the guide's minister's title).

Every text here is invented for these tests.
"""
from __future__ import annotations

import pytest

from kb import analysis, taxonomy
from kb.extract import find_agencies, find_provinces


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("งานวิจัยนี้ทำโดยคณะเกษตรศาสตร์ มหาวิทยาลัยเชียงใหม่ ร่วมกับชุมชน", ["เชียงใหม่"]),
        ("อาจารย์จากมหาวิทยาลัยขอนแก่นบรรยายเรื่องน้ำ", ["ขอนแก่น"]),
        ("ผู้แทนชุมชนมารวมตัวที่ลานหน้าศาลาว่าการกรุงเทพมหานคร เพื่อยื่นหนังสือ", ["กรุงเทพมหานคร"]),
        # the province does not end the university's name: still no place
        ("นักศึกษามหาวิทยาลัยสงขลานครินทร์ได้รับทุน", []),
    ],
)
def test_an_institution_named_for_a_province_in_one_dictionary_word_names_it(text, expected):
    assert find_provinces(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ถวายพวงมาลัยแด่พระรูปกรมหลวงชุมพรเขตอุดมศักดิ์ ณ จังหวัดตราด", ["ตราด"]),
        ("งานรำลึกสมเด็จเจ้าฟ้าฯ กรมหลวงพิษณุโลกประชานาถ จัดขึ้นทุกปี", []),
        ("พระองค์ทรงได้รับการสถาปนาเป็นกรมขุน สงขลาฯ ในปีนั้น", []),
    ],
)
def test_a_province_inside_a_princes_royal_title_is_no_place(text, expected):
    assert find_provinces(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ทีมแพทย์ออกหน่วยที่ตำบลอ่างทอง อำเภอเกาะสมุย จังหวัดสุราษฎร์ธานี", ["สุราษฎร์ธานี"]),
        ("เจ้าคณะตำบลขอนแก่น อำเภอเมืองร้อยเอ็ด ร่วมพิธี", ["ร้อยเอ็ด"]),
        ("ชาวบ้าน ต.ชัยภูมิ มารับถุงยังชีพ", []),
        # an abbreviation that ends in ต. is no subdistrict: the branch is named for the province
        ("สินค้าจาก สกต.บุรีรัมย์ วางจำหน่าย", ["บุรีรัมย์"]),
        # a list of local bodies after ส่วนตำบล with a space is no subdistrict's name
        ("ทั้งองค์การบริหารส่วนตำบล กรุงเทพมหานคร และเมืองพัทยา", ["กรุงเทพมหานคร"]),
    ],
)
def test_a_subdistrict_that_bears_a_provinces_name_is_no_province(text, expected):
    assert find_provinces(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ที่ประชุมพิจารณาโครงการทางพิเศษสายรามอินทรา-ชลบุรี-ระยอง ของการทางพิเศษ", []),
        ("รถติดยาวบนมอเตอร์เวย์สายบางปะอิน-นครราชสีมา ช่วงวันหยุด", []),
    ],
)
def test_an_expressway_named_for_the_places_it_joins_is_a_road(text, expected):
    assert find_provinces(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ร่วมเป็นกรรมการตัดสิน ได้แก่ คุณสมหญิง ลำปาง ผู้จัดการบริษัทเอกชน", []),
        # คุณ inside another word is no title: คุณภาพ, ขอบคุณ, a temple's name
        ("คุณภาพน้ำในจังหวัดลำปาง ดีขึ้น", ["ลำปาง"]),
        ("มอบโล่ขอบคุณ กทม. ที่ให้ความร่วมมือ", ["กรุงเทพมหานคร"]),
        ("เคยเรียนที่วัดทองนพคุณ กรุงเทพ มาก่อน", ["กรุงเทพมหานคร"]),
    ],
)
def test_a_surname_after_khun_and_a_given_name_is_no_place(text, expected):
    assert find_provinces(text) == expected


@pytest.mark.parametrize(
    ("text", "absent"),
    [
        ("กิจกรรมนี้ช่วยให้ชาวบ้านมีสุขภาพที่ดีอีกด้วย", "ดศ."),
        ("นับเป็นโอกาสที่ดีอีกครั้งของทั้งสองฝ่าย", "ดศ."),
        ("ส่งเสริมโครงการอนุรักษ์พันธุกรรมพืช (อพ.สธ.) ในโรงเรียน", "สธ."),
        ("มีความผิดฐานรับของที่ยังมิได้ผ่านพิธีการศุลกากรโดยถูกต้อง", "กรมศุลกากร"),
        ("ตามมาตรา 246 แห่งพระราชบัญญัติศุลกากร พ.ศ. 2560 และ พ.ร.บ. ศุลกากร", "กรมศุลกากร"),
    ],
)
def test_an_alias_inside_other_words_or_a_laws_name_is_not_the_agency(text, absent):
    assert absent not in find_agencies(text)


@pytest.mark.parametrize(
    ("text", "agency"),
    [
        ("รมว.ดีอี มอบนโยบายแก่ข้าราชการ", "ดศ."),
        ("กระทรวงดีอีเตือนภัยข่าวปลอม", "ดศ."),
        ("ด่านศุลกากรสะเดาตรวจยึดของกลาง", "กรมศุลกากร"),
        ("เจ้าหน้าที่ศุลกากรร่วมตรวจค้น", "กรมศุลกากร"),
        ("ข้อมูลจากระบบของสภาพัฒนาการเศรษฐกิจและสังคมแห่งชาติ ชี้ว่า", "สศช."),
        ("ผู้แทนสำนักงานคณะกรรมการพัฒนาการเศรษฐกิจและสังคมแห่งชาติ เข้าร่วม", "สศช."),
        ("นายกรัฐมนตรีและรมว.กลาโหม สั่งการให้เร่งช่วยเหลือ", "กห."),
        ("รมช. กลาโหม ตรวจเยี่ยมหน่วยทหาร", "กห."),
    ],
)
def test_an_agency_named_by_another_form_of_its_name(text, agency):
    assert agency in find_agencies(text)


def test_the_new_forms_do_not_change_the_segmenters_dictionary():
    """Forms matched by extraction only: the index's words (and its signature) stay as they were."""
    words = set(taxonomy.dictionary_terms())
    for agency in taxonomy.agencies():
        assert not set(agency.get("forms", [])) & words, agency["abbr"]
    assert "รมว.กลาโหม" not in words and analysis.words("รมว.กลาโหม") != ["รมว.กลาโหม"]
