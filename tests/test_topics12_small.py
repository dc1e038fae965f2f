"""The smaller topics by the labelling guide (docs/labelling.md; issue 13, branch topics12).

Southern unrest as a policy area (its setting and a deed: violence, peace or security
work, development of the southern border provinces), smuggling and clashes at the
border, the border as a place or in an association's name, the sea as the place of
tourism, research and shipping, a namesake of drug treatment, and a threat in a run of
subjects with no key.  Every release here is written for these tests (none copied from
a release).  Branch topics17 adds: a watch or a crossing opened or closed at the border,
smuggling deep in a long release, a route "from the border", workers of the three
nationalities, stateless people, and Thais lured to work abroad.
"""
from __future__ import annotations

from kb import analysis
from kb.extract import find_topics
from kb.extract.topic_hits import topic_hits
from test_extract_topics_pairs import MAIN_SIGNATURE, _MEETING, _release  # one invented release maker for the topic tests


def test_the_new_terms_stay_out_of_the_segmenter_dictionary():
    # Pairs, excludes and place rules are read by extraction only: every index is segmented as on main.
    assert analysis.signature() == MAIN_SIGNATURE


def test_violence_in_the_southern_border_provinces_counts_deep_in_the_body():
    """Decision 9: a bombing or shooting in the southern border provinces is the southern
    unrest, wherever the release tells it (not only in its lead)."""
    bombing = ("คนร้ายลอบวางระเบิดรถยนต์ของเจ้าหน้าที่ที่อำเภอรือเสาะ จังหวัดนราธิวาส "
               "ทำให้มีผู้ได้รับบาดเจ็บสามราย นายกรัฐมนตรีสั่งการให้ดูแลผู้บาดเจ็บอย่างดีที่สุด")
    care = "ทั้งนี้ ขอให้หน่วยงานในจังหวัดนราธิวาสเพิ่มความระมัดระวังเพื่อป้องกันเหตุรุนแรงซ้ำและเร่งติดตามตัวผู้กระทำผิด"
    assert "southern-unrest" in _release("นายกรัฐมนตรีห่วงใยเจ้าหน้าที่", [*_MEETING, bombing, care])
    # The same deed elsewhere is a crime, not the unrest.
    elsewhere = [x.replace("อำเภอรือเสาะ จังหวัดนราธิวาส", "อำเภอเมือง จังหวัดลำปาง").replace("นราธิวาส", "ลำปาง")
                 for x in (bombing, care)]
    assert "southern-unrest" not in _release("นายกรัฐมนตรีห่วงใยเจ้าหน้าที่", [*_MEETING, *elsewhere])


def test_the_southern_unrest_is_a_policy_area_named_by_its_setting_and_a_deed():
    """The key's definition: violence, peace talks, security and the development work done
    for the southern border provinces; the area alone is a place (decision 4), and a drug
    problem there is the drugs topic."""
    security = ("รัฐมนตรีกำชับหน่วยงานให้เพิ่มมาตรการรักษาความสงบในพื้นที่จังหวัดชายแดนภาคใต้ "
                "และดูแลความปลอดภัยของครูและนักเรียนในช่วงเปิดภาคเรียน")
    assert "southern-unrest" in _release("รัฐมนตรีประชุมหน่วยงานในพื้นที่", [*_MEETING, security, security + " อีกครั้ง"])
    development = ("ที่ประชุมติดตามแผนการพัฒนาจังหวัดชายแดนภาคใต้ประจำปีงบประมาณ "
                   "และเร่งรัดโครงการสร้างอาชีพให้ประชาชนในพื้นที่ให้เสร็จตามกำหนด")
    assert "southern-unrest" in _release("คณะกรรมการติดตามแผนการพัฒนาจังหวัดชายแดนภาคใต้", [development, *_MEETING])
    drugs = ("รัฐมนตรีมอบนโยบายการแก้ไขปัญหายาเสพติดในจังหวัดชายแดนภาคใต้ให้ผู้นำชุมชน "
             "และเร่งนำผู้เสพเข้ารับการบำบัดรักษาในโรงพยาบาลทุกอำเภอ")
    assert "southern-unrest" not in _release("รัฐมนตรีมอบนโยบายผู้นำชุมชน", [*_MEETING, drugs, drugs])
    flood = ("น้ำท่วมในจังหวัดชายแดนภาคใต้ทำให้ประชาชนเดือดร้อนกว่าหมื่นครัวเรือน "
             "จังหวัดเร่งส่งเรือและถุงยังชีพไปช่วยเหลือผู้ประสบอุทกภัยทุกอำเภอ")
    topics = _release("จังหวัดเร่งช่วยเหลือผู้ประสบอุทกภัย", [flood, *_MEETING])
    assert "disaster" in topics and "southern-unrest" not in topics


def test_unrest_named_without_the_south_is_no_southern_unrest():
    """The key's definition binds it to the southern border provinces: unrest at the
    Cambodian border is the border topic (decision 16), not the southern unrest."""
    order = ("4. กรณีเกิดสถานการณ์ความไม่สงบอันส่งผลต่อความปลอดภัยของประชาชนในพื้นที่ "
             "ให้จังหวัดรายงานกรมการปกครองทราบโดยเร็วที่สุดจนกว่าสถานการณ์จะคลี่คลาย")
    patrol = "ให้อาสารักษาดินแดนเฝ้าตรวจตามแนวชายแดนไทย-กัมพูชาและรายงานสถานการณ์ทุกวัน"
    topics = _release("กรมการปกครองแจ้งจังหวัดชายแดนเตรียมแผนอพยพประชาชน", [patrol, *_MEETING, order])
    assert "border" in topics and "southern-unrest" not in topics
    # With the south named, the same words are the southern unrest.
    south = order.replace("ในพื้นที่", "ในพื้นที่จังหวัดปัตตานี")
    assert "southern-unrest" in _release("กรมการปกครองแจ้งจังหวัด", [*_MEETING, south, south])


def test_goods_smuggled_across_the_border_are_the_border_topic():
    """Clarification 21: border when the text says goods or people are smuggled across the
    border, told anywhere in the release."""
    smuggling = ("เจ้าหน้าที่ตั้งจุดสกัดเพื่อป้องกันการลักลอบนำเข้าน้ำมันเถื่อนจากประเทศเพื่อนบ้าน "
                 "ซึ่งมีราคาถูกกว่าในประเทศ และจะรายงานผลให้อำเภอทราบทุกเดือน")
    assert "border" in _release("อำเภอวางมาตรการปราบปรามน้ำมันเถื่อน", [*_MEETING, smuggling])
    # Workers from neighbouring countries: their origin, not a crossing.
    workers = ("กรมการจัดหางานขอให้นายจ้างช่วยลดการลักลอบเข้าเมืองมาทำงานของแรงงานประเทศเพื่อนบ้าน "
               "โดยพาลูกจ้างไปขึ้นทะเบียนให้ถูกต้องตามกฎหมายภายในเดือนนี้")
    assert "border" not in _release("กรมการจัดหางานเตือนนายจ้าง", [*_MEETING, workers])
    # A border unit's name is an actor (decision 4): its seizure inland is no border measure.
    unit = ("กองร้อยตำรวจตระเวนชายแดน 335 สกัดกั้นเส้นทางลำเลียงยาเสพติดที่อำเภอเชียงดาว "
            "ตรวจยึดยาบ้าได้สองแสนเม็ดพร้อมรถยนต์หนึ่งคัน")
    assert "border" not in _release("ตำรวจแถลงผลการจับกุมยาเสพติด", [*_MEETING, unit])


def test_an_armed_clash_at_the_border_is_the_border_topic():
    """Decision 16: an armed clash at the border and its evacuees are the border topic."""
    clash = ("หลังเหตุปะทะบริเวณชายแดนไทย-กัมพูชาเมื่อคืนที่ผ่านมา อำเภอได้อพยพประชาชน "
             "ไปยังศูนย์พักพิงชั่วคราวและจัดเจ้าหน้าที่ดูแลตลอดยี่สิบสี่ชั่วโมง")
    care = "ทั้งนี้ จังหวัดได้จัดอาหารและยารักษาโรคให้ผู้อพยพจากเหตุปะทะตามแนวชายแดนจนกว่าสถานการณ์จะคลี่คลาย"
    assert "border" in _release("รัฐมนตรีเยี่ยมศูนย์พักพิง", [*_MEETING, clash, care])
    # In a long release (a higher bar), the clash beside the border makes each sentence rich evidence.
    assert "border" in _release("รัฐมนตรีเยี่ยมศูนย์พักพิง", [*_MEETING * 6, clash, care])


def test_a_province_that_borders_a_country_is_a_place():
    """Decision 4: "a province with a border adjoining Myanmar" says where, not what about."""
    place = ("จังหวัดระนองเป็นจังหวัดหนึ่งที่มีแนวชายแดนอยู่ติดกับประเทศเมียนมา "
             "และมีผู้ประกอบการประมงจำนวนมากที่ต้องการพัฒนาฝีมือแรงงาน")
    assert "border" not in find_topics(place)
    assert "border" not in _release("รัฐมนตรีตรวจราชการจังหวัดระนอง", [*_MEETING, place, place])


def test_an_association_named_for_the_border_is_an_actor():
    """Decision 4: an association whose name holds the term attends; it is no subject."""
    guests = ("โดยมีผู้แทนสาธารณสุขจังหวัด สมาคมการค้าและการท่องเที่ยวชายแดนไทย-กัมพูชา "
              "และสมาคมชาวสวนผลไม้เข้าร่วมหารือเรื่องการจ้างแรงงานเก็บผลผลิต")
    assert "border" not in _release("รัฐมนตรีหารือการจ้างแรงงานเก็บผลไม้", [*_MEETING, guests])


def test_the_sea_as_the_place_of_tourism_research_or_shipping_is_no_maritime_security():
    """Clarification 23: maritime is security and law enforcement at sea; tourism, research
    and shipping done at sea have the sea as their place (decision 4)."""
    research = [
        "รัฐมนตรีตรวจเยี่ยมศูนย์วิจัยทางทะเลและรับฟังผลการอนุรักษ์เต่าทะเลและพะยูนในรอบปีที่ผ่านมา",
        "จังหวัดส่งเสริมการท่องเที่ยวทางทะเลและกีฬาทางทะเลเพื่อเพิ่มรายได้ให้ชุมชนชายหาด",
        "กรมเจ้าท่าพัฒนาการขนส่งทางทะเลและท่าเรือเพื่อลดต้นทุนโลจิสติกส์ของผู้ส่งออก",
    ]
    assert "maritime" not in _release("รัฐมนตรีเยี่ยมศูนย์วิจัยทางทะเล", [*research, *_MEETING])
    patrol = "กองทัพเรือ ลาดตระเวนในอ่าวไทยและตรวจค้นเรือประมงผิดกฎหมายได้สามลำ"
    assert "maritime" in _release("กองทัพเรือ ลาดตระเวนอ่าวไทย", [*research, patrol, *_MEETING])


def test_relieving_suffering_is_a_namesake_of_drug_treatment():
    """The general test's namesake: บำบัดทุกข์ (the interior ministry's motto) is no drug treatment."""
    motto = "กระทรวงมหาดไทย มีภารกิจบำบัดทุกข์ บำรุงสุขให้กับพี่น้องประชาชนในทุกพื้นที่"
    assert not [h for h in topic_hits(motto) if h.topic == "drugs"]
    assert [h.term for h in topic_hits("จังหวัดนำผู้เสพเข้ารับการบำบัดรักษาในโรงพยาบาล") if h.topic == "drugs"]


def test_a_threat_in_a_run_of_subjects_with_no_key_is_one_item_of_a_list():
    """Decision 3: terrorism or online fraud named in a run with transnational crime (a subject
    with no key), a nominalizer (การ) between them, is one item of a list."""
    run = ("ที่ประชุมหารือความร่วมมือด้านเศรษฐกิจ การศึกษา การแก้ไขปัญหาอาชญากรรมข้ามชาติและการก่อการร้าย "
           "รวมทั้งการแลกเปลี่ยนนักศึกษาระหว่างสองประเทศ")
    assert "terrorism" not in _release("รัฐมนตรีต้อนรับเอกอัครราชทูต", [*_MEETING, run])
    fraud = run.replace("และการก่อการร้าย", " การหลอกลวงออนไลน์")
    assert "cyber" not in _release("รัฐมนตรีต้อนรับเอกอัครราชทูต", [*_MEETING, fraud])
    # Alone, the same threat with a measure is the subject.
    plan = "สำนักงานตำรวจแห่งชาติ เพิ่มมาตรการป้องกันการก่อการร้ายในสนามบินและสถานีรถไฟทุกแห่ง"
    assert find_topics(plan) == ["terrorism"]


def test_a_unit_acting_with_others_ends_its_name_before_the_smuggling_deed():
    """Clarification 21: goods smuggled along the border are the border topic, also when the
    unit that stops them is written glued before the deed: "ร่วมกับ" (together with) ends an
    agency's name, so the deed is no part of one (fixcorpus: army-region-north)."""
    unit = ("กองกำลังสุรนารีร่วมกับฝ่ายปกครองอำเภอสกัดกั้นการลักลอบขนสินค้าเกษตร"
            "ตามแนวชายแดนอำเภอกันทรลักษ์ได้ต่อเนื่อง")
    assert ("ลักลอบขน", True) in [(h.term, h.strong) for h in topic_hits(unit) if h.topic == "border"]
    assert "border" in _release("กองกำลังสุรนารีแถลงผลการปฏิบัติงาน", [*_MEETING, unit])


def test_an_area_and_its_problem_in_parallel_clauses_is_one_item_of_a_list():
    """Decision 4 and clarification 12: clauses in a row that open alike ("จังหวัดทางตอนเหนือ
    เผชิญ... จังหวัดริมแม่น้ำโขงเผชิญ... จังหวัดชายทะเลเผชิญ...") list areas and their problems;
    each is one item of a list with no measure or figure of its own, even a smuggling deed beside
    the river (a pair, kb.extract.topic_pairs) (fixcorpus: plans/plan-17.md)."""
    items = ("สภาพปัญหาในแต่ละจังหวัดแตกต่างกันมาก จังหวัดทางตอนเหนือเผชิญหมอกควันจากการเผาในที่โล่ง "
             "จังหวัดริมแม่น้ำโขงเผชิญการลักลอบนำเข้าสินค้าเกษตรข้ามมาจากอีกฝั่ง "
             "จังหวัดชายทะเลเผชิญการกัดเซาะชายฝั่งอย่างรุนแรง จังหวัดอุตสาหกรรมเผชิญการขาดแคลนแรงงานที่มีทักษะในโรงงาน")
    assert "border" not in find_topics(items)
    assert "border" not in _release("จังหวัดประชุมจัดทำแผนพัฒนาจังหวัด", [*_MEETING, items])
    # The same clause alone is a statement about smuggling along the border.
    one = "ที่ประชุมรับทราบว่าจังหวัดริมแม่น้ำโขงเผชิญการลักลอบนำเข้าสินค้าเกษตรข้ามมาจากอีกฝั่งเพิ่มขึ้นมาก"
    assert find_topics(one) == ["border"]
    # Items that carry a figure of their own count (clarification 12).
    figures = ("ผลการปฏิบัติในรอบเดือน จังหวัดหนองคายจับกุมการลักลอบนำเข้าสินค้าเกษตรริมแม่น้ำโขงได้ 12 ครั้ง "
               "จังหวัดนครพนมจับกุมการลักลอบนำเข้าสินค้าเกษตรริมแม่น้ำโขงได้ 8 ครั้ง "
               "จังหวัดมุกดาหารจับกุมการลักลอบนำเข้าสินค้าเกษตรริมแม่น้ำโขงได้ 5 ครั้ง")
    assert find_topics(figures) == ["border"]
    # After เช่น the examples may be the ways of the deed itself: the deed beside its setting stays strong.
    ways = ("ด่านตรวจพบการลักลอบนำเข้าน้ำมันเถื่อนหลายรูปแบบ เช่น ใช้รถบรรทุกลักลอบนำเข้าน้ำมันเถื่อน"
            "ทางช่องธรรมชาติและผ่านจุดผ่านแดนถาวร")
    assert find_topics(ways) == ["border"]


# Branch topics17: the smaller topics, second round (docs/design.md).
_DRUG_REPORT = [f"อำเภอที่ {n} รายงานผลการตรวจค้นผู้ค้ายาเสพติดและนำผู้เสพยาเสพติดเข้ารับการบำบัดรักษาอย่างต่อเนื่อง" for n in range(1, 10)]


def test_a_watch_along_the_border_counts_beside_a_main_subject():
    """Clarifications 11 and 21: a measure acting on the border (a watch, an interception
    along it) is the border topic, also as one sentence of a release on something else."""
    watch = "ผู้ว่าราชการจังหวัดสั่งการให้ทหารพรานเฝ้าระวังตามแนวชายแดนตลอดยี่สิบสี่ชั่วโมงเพื่อป้องกันการลักลอบเข้าเมือง"
    title = "ผู้ว่าราชการจังหวัดสั่งเข้มปราบปรามยาเสพติดทุกอำเภอ"
    assert "border" in _release(title, [*_MEETING, *_DRUG_REPORT, watch])
    assert "border" not in _release(title, [*_MEETING, *_DRUG_REPORT])
    # Watching the water level of the Mekong is a flood watch, not a border measure.
    river = "สำนักงานทรัพยากรน้ำแจ้งให้จังหวัดเฝ้าระวังระดับน้ำในแม่น้ำโขงที่เพิ่มสูงขึ้นต่อเนื่องตลอดสัปดาห์"
    assert "border" not in _release("จังหวัดเตรียมรับมือน้ำหลาก", [*_MEETING, *_DRUG_REPORT, river])
    # A disease watch along the border acts on the disease (clarification 11), not on the border.
    disease = "อาสาสมัครสาธารณสุขเฝ้าระวังโรคไข้หวัดนกตามแนวชายแดนอย่างเข้มงวดและรายงานผลทุกสัปดาห์"
    assert "border" not in _release(title, [*_MEETING, *_DRUG_REPORT, disease])


def test_goods_smuggled_in_count_deep_in_a_long_release():
    """Clarification 21: goods smuggled across the border, told once in a long release whose
    main subject is another, are still the border topic (a deed of its own, like a numbered item)."""
    smuggled = "เจ้าหน้าที่ศุลกากรตรวจพบบุหรี่เถื่อนที่คาดว่าลักลอบนำเข้ามาตามช่องทางธรรมชาติจากประเทศเพื่อนบ้าน"
    title = "ผู้ว่าราชการจังหวัดสั่งเข้มปราบปรามยาเสพติดทุกอำเภอ"
    assert "border" in _release(title, [*_MEETING * 4, *_DRUG_REPORT, smuggled])


def test_opening_or_closing_a_crossing_is_a_border_measure():
    """Decision 9 and clarification 24: opening a border crossing for trade, or closing it,
    is the border topic, told once in a long release."""
    opening = "ที่ประชุมเห็นชอบให้เปิดจุดผ่อนปรนการค้าบ้านโนนสูงอีกครั้งตั้งแต่วันจันทร์หน้าเป็นต้นไป"
    title = "ผู้ว่าราชการจังหวัดสั่งเข้มปราบปรามยาเสพติดทุกอำเภอ"
    assert "border" in _release(title, [*_MEETING * 4, *_DRUG_REPORT, opening])
    market = "ชาวบ้านนำสินค้าเกษตรมาวางขายในตลาดนัดซึ่งอยู่ไม่ไกลจากจุดผ่อนปรนการค้าบ้านโนนสูง"
    assert "border" not in _release(title, [*_MEETING * 4, *_DRUG_REPORT, market])


def test_coming_from_the_border_is_a_routes_place():
    """Clarification 21: a route or a gang only located at the border ("มาจากชายแดน") is a place."""
    seizure = "ตำรวจตรวจยึดยาบ้าได้สองแสนเม็ดที่ด่านตรวจในจังหวัดนครสวรรค์พร้อมผู้ต้องหาสองราย"
    route = "ผู้ต้องหาขับรถกระบะที่รับของมาจากชายแดนแล้วมุ่งหน้าเข้าสู่ตัวเมืองในเวลากลางคืน"
    topics = _release("ตำรวจแถลงผลการจับกุมยาเสพติด", [*_MEETING, seizure, route])
    assert "drugs" in topics and "border" not in topics


def test_workers_of_three_nationalities_and_stateless_people_are_migration():
    """The key: foreigners working in Thailand and stateless people, in the wordings releases use."""
    fee = "รัฐบาลยกเว้นค่าธรรมเนียมการกลับเข้าประเทศให้แรงงาน 3 สัญชาติที่เดินทางกลับบ้านช่วงปีใหม่"
    assert "migration" in _release("กรมการจัดหางานแจ้งนายจ้างทั่วประเทศ", [*_MEETING, fee])
    cards = "อำเภอมอบบัตรประจำตัวให้บุคคลไร้รัฐไร้สัญชาติที่ผ่านการพิสูจน์สถานะแล้วจำนวนสองร้อยราย"
    assert "migration" in _release("นายอำเภอลงพื้นที่พบประชาชน", [*_MEETING, cards])


def test_working_illegally_abroad_is_no_migration():
    """Decision 2: Thais lured to work abroad are no migration (foreigners in Thailand)."""
    lured = "หลายรายถูกนายหน้าหลอกไปทำงานผิดกฎหมายในประเทศที่สามโดยใช้วีซ่าท่องเที่ยวและถูกยึดหนังสือเดินทาง"
    assert "migration" not in _release("กระทรวงแรงงานเตือนคนหางานอย่าหลงเชื่อนายหน้าชวนไปทำงานต่างประเทศ", [*_MEETING, lured])
    found = "เจ้าหน้าที่ตรวจสถานประกอบการสิบแห่งพบคนต่างด้าวทำงานผิดกฎหมายและดำเนินคดีกับนายจ้างทันที"
    assert "migration" in _release("จังหวัดตรวจสถานประกอบการทั่วจังหวัด", [*_MEETING, found])
